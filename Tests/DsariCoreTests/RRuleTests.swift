import Testing

@testable import DsariCore

// MARK: - Helpers

/// `YYYYMMDDTHHMMSS` (or `YYYYMMDD`) as a wall-clock time.
private func civil(_ text: String) -> CivilDateTime {
    let digits = Array(text.filter(\.isNumber))
    func field(_ offset: Int, _ length: Int) -> Int {
        offset + length <= digits.count ? Int(String(digits[offset..<(offset + length)])) ?? 0 : 0
    }
    return CivilDateTime(
        year: field(0, 4), month: field(4, 2), day: field(6, 2),
        hour: field(8, 2), minute: field(10, 2), second: field(12, 2))
}

/// The given days of one month at a fixed time (9:00 unless told).
private func days(_ year: Int, _ month: Int, _ days: [Int], hour: Int = 9, minute: Int = 0) -> [CivilDateTime] {
    days.map { CivilDateTime(year: year, month: month, day: $0, hour: hour, minute: minute) }
}

/// Times of one day.
private func times(_ year: Int, _ month: Int, _ day: Int, _ hourMinutes: [(Int, Int)]) -> [CivilDateTime] {
    hourMinutes.map { CivilDateTime(year: year, month: month, day: day, hour: $0.0, minute: $0.1) }
}

/// The first `limit` occurrences; `until` is the wall-clock end the caller
/// would derive from the rule's UNTIL.
private func expand(_ text: String, _ dtstart: String, until: String? = nil, limit: Int = 1000) throws
    -> [CivilDateTime]
{
    let rule = try RRule(parsing: text)
    return Array(rule.occurrences(dtstart: civil(dtstart), until: until.map(civil)).prefix(limit))
}

/// The first `count` of `rule.occurrences(dtstart:until:)`, and the loop
/// turns the search took: the work is bounded instead of the time, which a
/// busy machine stretches at will.
private func search(_ rule: RRule, dtstart: CivilDateTime, count: Int = 1) -> (found: [CivilDateTime], steps: Int) {
    var iterator = rule.occurrences(dtstart: dtstart, until: nil).makeIterator()
    var found: [CivilDateTime] = []
    while found.count < count, let next = iterator.next() {
        found.append(next)
    }
    return (found, iterator.steps)
}

// MARK: - RFC 5545 examples

/// One example of RFC 5545 §3.8.5.3, with its expected occurrences.
///
/// The RFC's examples run in America/New_York; dsari's engine works on the
/// wall clock, so DTSTART is taken as written and a UTC `UNTIL=…Z` is given
/// as the wall-clock `until` the caller would compute (EDT = UTC−4 until
/// 1997-10-26, EST = UTC−5 after). Examples ending with COUNT are rewritten
/// with an UNTIL at their last occurrence (inclusive), which yields the same
/// occurrences and also checks that the rule stops there. Endless examples
/// compare the first occurrences the RFC lists.
struct RFCExample: CustomTestStringConvertible, Sendable {
    let name: String
    let rule: String
    let dtstart: String
    var until: String?
    let expected: [CivilDateTime]

    var testDescription: String { name }

    func run() throws -> [CivilDateTime] {
        let rule = try RRule(parsing: self.rule)
        let end = until.map(civil) ?? rule.until
        // One more than expected: a rule that should stop must not go on.
        return Array(rule.occurrences(dtstart: civil(dtstart), until: end).prefix(expected.count + (end == nil ? 0 : 1)))
    }
}

private let rfcExamples: [RFCExample] = [
    // "Daily for 10 occurrences": RRULE:FREQ=DAILY;COUNT=10 ==> September 2-11.
    RFCExample(
        name: "daily for 10 occurrences", rule: "FREQ=DAILY;UNTIL=19970911T090000", dtstart: "19970902T090000",
        expected: days(1997, 9, Array(2...11))),
    // "Daily until December 24, 1997": UNTIL=19971224T000000Z is 1997-12-23 19:00 EST.
    // ==> September 2-30; October 1-25; October 26-31; November 1-30; December 1-23.
    RFCExample(
        name: "daily until December 24, 1997", rule: "FREQ=DAILY;UNTIL=19971224T000000Z",
        dtstart: "19970902T090000", until: "19971223T190000",
        expected: days(1997, 9, Array(2...30)) + days(1997, 10, Array(1...31)) + days(1997, 11, Array(1...30))
            + days(1997, 12, Array(1...23))),
    // "Every other day - forever": ==> September 2,4,…,30; October 2,…,24; October 26,28,30;
    // November 1,3,…,29; December 1,3,…
    RFCExample(
        name: "every other day", rule: "FREQ=DAILY;INTERVAL=2", dtstart: "19970902T090000",
        expected: days(1997, 9, Array(stride(from: 2, through: 30, by: 2)))
            + days(1997, 10, Array(stride(from: 2, through: 30, by: 2)))
            + days(1997, 11, Array(stride(from: 1, through: 29, by: 2))) + days(1997, 12, [1, 3])),
    // "Every 10 days, 5 occurrences": INTERVAL=10;COUNT=5 ==> September 2,12,22; October 2,12.
    RFCExample(
        name: "every 10 days until the 5th", rule: "FREQ=DAILY;INTERVAL=10;UNTIL=19971012T090000",
        dtstart: "19970902T090000", expected: days(1997, 9, [2, 12, 22]) + days(1997, 10, [2, 12])),
    // "Every day in January, for 3 years" (first form): UNTIL=20000131T140000Z is 09:00 EST.
    // ==> January 1-31 of 1998, 1999 and 2000.
    RFCExample(
        name: "every day in January (YEARLY form)",
        rule: "FREQ=YEARLY;UNTIL=20000131T140000Z;BYMONTH=1;BYDAY=SU,MO,TU,WE,TH,FR,SA",
        dtstart: "19980101T090000", until: "20000131T090000",
        expected: days(1998, 1, Array(1...31)) + days(1999, 1, Array(1...31)) + days(2000, 1, Array(1...31))),
    // Same example, second form: RRULE:FREQ=DAILY;UNTIL=20000131T140000Z;BYMONTH=1.
    RFCExample(
        name: "every day in January (DAILY form)", rule: "FREQ=DAILY;UNTIL=20000131T140000Z;BYMONTH=1",
        dtstart: "19980101T090000", until: "20000131T090000",
        expected: days(1998, 1, Array(1...31)) + days(1999, 1, Array(1...31)) + days(2000, 1, Array(1...31))),
    // "Weekly for 10 occurrences": COUNT=10 ==> September 2,9,16,23,30; October 7,14,21,28; November 4.
    RFCExample(
        name: "weekly for 10 occurrences", rule: "FREQ=WEEKLY;UNTIL=19971104T090000", dtstart: "19970902T090000",
        expected: days(1997, 9, [2, 9, 16, 23, 30]) + days(1997, 10, [7, 14, 21, 28]) + days(1997, 11, [4])),
    // "Weekly until December 24, 1997" ==> … November 4,11,18,25; December 2,9,16,23.
    RFCExample(
        name: "weekly until December 24, 1997", rule: "FREQ=WEEKLY;UNTIL=19971224T000000Z",
        dtstart: "19970902T090000", until: "19971223T190000",
        expected: days(1997, 9, [2, 9, 16, 23, 30]) + days(1997, 10, [7, 14, 21, 28])
            + days(1997, 11, [4, 11, 18, 25]) + days(1997, 12, [2, 9, 16, 23])),
    // "Every other week - forever": INTERVAL=2;WKST=SU ==> September 2,16,30; October 14,28;
    // November 11,25; December 9,23; January 6,20; February 3,17.
    RFCExample(
        name: "every other week", rule: "FREQ=WEEKLY;INTERVAL=2;WKST=SU", dtstart: "19970902T090000",
        expected: days(1997, 9, [2, 16, 30]) + days(1997, 10, [14, 28]) + days(1997, 11, [11, 25])
            + days(1997, 12, [9, 23]) + days(1998, 1, [6, 20]) + days(1998, 2, [3, 17])),
    // "Weekly on Tuesday and Thursday for five weeks" (UNTIL form): UNTIL=19971007T000000Z
    // is 1997-10-06 20:00 EDT ==> September 2,4,9,11,16,18,23,25,30; October 2.
    RFCExample(
        name: "weekly on Tuesday and Thursday (UNTIL)", rule: "FREQ=WEEKLY;UNTIL=19971007T000000Z;WKST=SU;BYDAY=TU,TH",
        dtstart: "19970902T090000", until: "19971006T200000",
        expected: days(1997, 9, [2, 4, 9, 11, 16, 18, 23, 25, 30]) + days(1997, 10, [2])),
    // Same example, COUNT=10 form, rewritten with UNTIL at the 10th occurrence.
    RFCExample(
        name: "weekly on Tuesday and Thursday (COUNT)", rule: "FREQ=WEEKLY;UNTIL=19971002T090000;WKST=SU;BYDAY=TU,TH",
        dtstart: "19970902T090000", expected: days(1997, 9, [2, 4, 9, 11, 16, 18, 23, 25, 30]) + days(1997, 10, [2])),
    // "Every other week on Monday, Wednesday, and Friday until December 24, 1997":
    // ==> September 1,3,5,15,17,19,29; October 1,3,13,15,17,27,29,31; November 10,12,14,24,26,28;
    // December 8,10,12,22.
    RFCExample(
        name: "every other week on MO, WE, FR", rule: "FREQ=WEEKLY;INTERVAL=2;UNTIL=19971224T000000Z;WKST=SU;BYDAY=MO,WE,FR",
        dtstart: "19970901T090000", until: "19971223T190000",
        expected: days(1997, 9, [1, 3, 5, 15, 17, 19, 29]) + days(1997, 10, [1, 3, 13, 15, 17, 27, 29, 31])
            + days(1997, 11, [10, 12, 14, 24, 26, 28]) + days(1997, 12, [8, 10, 12, 22])),
    // "Every other week on Tuesday and Thursday, for 8 occurrences" (COUNT=8)
    // ==> September 2,4,16,18,30; October 2,14,16.
    RFCExample(
        name: "every other week on Tuesday and Thursday",
        rule: "FREQ=WEEKLY;INTERVAL=2;UNTIL=19971016T090000;WKST=SU;BYDAY=TU,TH", dtstart: "19970902T090000",
        expected: days(1997, 9, [2, 4, 16, 18, 30]) + days(1997, 10, [2, 14, 16])),
    // "Monthly on the first Friday for 10 occurrences" (COUNT=10) ==> September 5; October 3;
    // November 7; December 5; January 2; February 6; March 6; April 3; May 1; June 5.
    RFCExample(
        name: "monthly on the first Friday", rule: "FREQ=MONTHLY;UNTIL=19980605T090000;BYDAY=1FR",
        dtstart: "19970905T090000",
        expected: days(1997, 9, [5]) + days(1997, 10, [3]) + days(1997, 11, [7]) + days(1997, 12, [5])
            + days(1998, 1, [2]) + days(1998, 2, [6]) + days(1998, 3, [6]) + days(1998, 4, [3])
            + days(1998, 5, [1]) + days(1998, 6, [5])),
    // "Monthly on the first Friday until December 24, 1997" ==> September 5; October 3; November 7; December 5.
    RFCExample(
        name: "monthly on the first Friday until December 24", rule: "FREQ=MONTHLY;UNTIL=19971224T000000Z;BYDAY=1FR",
        dtstart: "19970905T090000", until: "19971223T190000",
        expected: days(1997, 9, [5]) + days(1997, 10, [3]) + days(1997, 11, [7]) + days(1997, 12, [5])),
    // "Every other month on the first and last Sunday of the month for 10 occurrences"
    // (COUNT=10) ==> September 7,28; November 2,30; January 4,25; March 1,29; May 3,31.
    RFCExample(
        name: "every other month on the first and last Sunday",
        rule: "FREQ=MONTHLY;INTERVAL=2;UNTIL=19980531T090000;BYDAY=1SU,-1SU", dtstart: "19970907T090000",
        expected: days(1997, 9, [7, 28]) + days(1997, 11, [2, 30]) + days(1998, 1, [4, 25])
            + days(1998, 3, [1, 29]) + days(1998, 5, [3, 31])),
    // "Monthly on the second-to-last Monday of the month for 6 months" (COUNT=6)
    // ==> September 22; October 20; November 17; December 22; January 19; February 16.
    RFCExample(
        name: "monthly on the second-to-last Monday", rule: "FREQ=MONTHLY;UNTIL=19980216T090000;BYDAY=-2MO",
        dtstart: "19970922T090000",
        expected: days(1997, 9, [22]) + days(1997, 10, [20]) + days(1997, 11, [17]) + days(1997, 12, [22])
            + days(1998, 1, [19]) + days(1998, 2, [16])),
    // "Monthly on the third-to-the-last day of the month, forever"
    // ==> September 28; October 29; November 28; December 29; January 29; February 26.
    RFCExample(
        name: "monthly on the third-to-last day", rule: "FREQ=MONTHLY;BYMONTHDAY=-3", dtstart: "19970928T090000",
        expected: days(1997, 9, [28]) + days(1997, 10, [29]) + days(1997, 11, [28]) + days(1997, 12, [29])
            + days(1998, 1, [29]) + days(1998, 2, [26])),
    // "Monthly on the 2nd and 15th of the month for 10 occurrences" (COUNT=10)
    // ==> September 2,15; October 2,15; November 2,15; December 2,15; January 2,15.
    RFCExample(
        name: "monthly on the 2nd and 15th", rule: "FREQ=MONTHLY;UNTIL=19980115T090000;BYMONTHDAY=2,15",
        dtstart: "19970902T090000",
        expected: days(1997, 9, [2, 15]) + days(1997, 10, [2, 15]) + days(1997, 11, [2, 15])
            + days(1997, 12, [2, 15]) + days(1998, 1, [2, 15])),
    // "Monthly on the first and last day of the month for 10 occurrences" (COUNT=10)
    // ==> September 30; October 1,31; November 1,30; December 1,31; January 1,31; February 1.
    RFCExample(
        name: "monthly on the first and last day", rule: "FREQ=MONTHLY;UNTIL=19980201T090000;BYMONTHDAY=1,-1",
        dtstart: "19970930T090000",
        expected: days(1997, 9, [30]) + days(1997, 10, [1, 31]) + days(1997, 11, [1, 30])
            + days(1997, 12, [1, 31]) + days(1998, 1, [1, 31]) + days(1998, 2, [1])),
    // "Every 18 months on the 10th thru 15th of the month for 10 occurrences" (COUNT=10)
    // ==> September 10-15, 1997; March 10-13, 1999.
    RFCExample(
        name: "every 18 months on the 10th to 15th",
        rule: "FREQ=MONTHLY;INTERVAL=18;UNTIL=19990313T090000;BYMONTHDAY=10,11,12,13,14,15",
        dtstart: "19970910T090000", expected: days(1997, 9, Array(10...15)) + days(1999, 3, Array(10...13))),
    // "Every Tuesday, every other month" ==> September 2,9,16,23,30; November 4,11,18,25;
    // January 6,13,20,27; March 3,10,17,24,31.
    RFCExample(
        name: "every Tuesday, every other month", rule: "FREQ=MONTHLY;INTERVAL=2;BYDAY=TU", dtstart: "19970902T090000",
        expected: days(1997, 9, [2, 9, 16, 23, 30]) + days(1997, 11, [4, 11, 18, 25])
            + days(1998, 1, [6, 13, 20, 27]) + days(1998, 3, [3, 10, 17, 24, 31])),
    // "Yearly in June and July for 10 occurrences" (COUNT=10) ==> June 10; July 10 of 1997-2001.
    RFCExample(
        name: "yearly in June and July", rule: "FREQ=YEARLY;UNTIL=20010710T090000;BYMONTH=6,7",
        dtstart: "19970610T090000",
        expected: (1997...2001).flatMap { days($0, 6, [10]) + days($0, 7, [10]) }),
    // "Every other year on January, February, and March for 10 occurrences" (COUNT=10)
    // ==> March 10, 1997; January 10, February 10, March 10 of 1999, 2001, 2003.
    RFCExample(
        name: "every other year in January to March", rule: "FREQ=YEARLY;INTERVAL=2;UNTIL=20030310T090000;BYMONTH=1,2,3",
        dtstart: "19970310T090000",
        expected: days(1997, 3, [10]) + [1999, 2001, 2003].flatMap { year in (1...3).flatMap { days(year, $0, [10]) } }),
    // "Every third year on the 1st, 100th, and 200th day for 10 occurrences" (COUNT=10)
    // ==> 1997: January 1, April 10, July 19; 2000: January 1, April 9, July 18;
    // 2003: January 1, April 10, July 19; 2006: January 1.
    RFCExample(
        name: "every third year on the 1st, 100th and 200th day",
        rule: "FREQ=YEARLY;INTERVAL=3;UNTIL=20060101T090000;BYYEARDAY=1,100,200", dtstart: "19970101T090000",
        expected: days(1997, 1, [1]) + days(1997, 4, [10]) + days(1997, 7, [19]) + days(2000, 1, [1])
            + days(2000, 4, [9]) + days(2000, 7, [18]) + days(2003, 1, [1]) + days(2003, 4, [10])
            + days(2003, 7, [19]) + days(2006, 1, [1])),
    // "Every 20th Monday of the year, forever" ==> May 19, 1997; May 18, 1998; May 17, 1999.
    RFCExample(
        name: "every 20th Monday of the year", rule: "FREQ=YEARLY;BYDAY=20MO", dtstart: "19970519T090000",
        expected: days(1997, 5, [19]) + days(1998, 5, [18]) + days(1999, 5, [17])),
    // "Monday of week number 20 (where the default start of the week is Monday), forever"
    // ==> May 12, 1997; May 11, 1998; May 17, 1999.
    RFCExample(
        name: "Monday of week 20", rule: "FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO", dtstart: "19970512T090000",
        expected: days(1997, 5, [12]) + days(1998, 5, [11]) + days(1999, 5, [17])),
    // "Every Thursday in March, forever" ==> March 13,20,27, 1997; March 5,12,19,26, 1998;
    // March 4,11,18,25, 1999.
    RFCExample(
        name: "every Thursday in March", rule: "FREQ=YEARLY;BYMONTH=3;BYDAY=TH", dtstart: "19970313T090000",
        expected: days(1997, 3, [13, 20, 27]) + days(1998, 3, [5, 12, 19, 26]) + days(1999, 3, [4, 11, 18, 25])),
    // "Every Thursday, but only during June, July, and August, forever" ==> 1997: June 5,12,19,26;
    // July 3,10,17,24,31; August 7,14,21,28. 1998: June 4,11,18,25; July 2,9,16,23,30;
    // August 6,13,20,27. 1999: June 3,10,17,24; July 1,8,15,22,29; August 5,12,19,26.
    RFCExample(
        name: "every Thursday in June, July and August", rule: "FREQ=YEARLY;BYDAY=TH;BYMONTH=6,7,8",
        dtstart: "19970605T090000",
        expected: days(1997, 6, [5, 12, 19, 26]) + days(1997, 7, [3, 10, 17, 24, 31]) + days(1997, 8, [7, 14, 21, 28])
            + days(1998, 6, [4, 11, 18, 25]) + days(1998, 7, [2, 9, 16, 23, 30]) + days(1998, 8, [6, 13, 20, 27])
            + days(1999, 6, [3, 10, 17, 24]) + days(1999, 7, [1, 8, 15, 22, 29]) + days(1999, 8, [5, 12, 19, 26])),
    // "Every Friday the 13th, forever" ==> February 13, March 13, November 13, 1998; August 13, 1999;
    // October 13, 2000. The RFC adds EXDATE of DTSTART because its DTSTART always counts;
    // in dateutil's semantics a DTSTART that does not match is simply not an occurrence.
    RFCExample(
        name: "every Friday the 13th", rule: "FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13", dtstart: "19970902T090000",
        expected: days(1998, 2, [13]) + days(1998, 3, [13]) + days(1998, 11, [13]) + days(1999, 8, [13])
            + days(2000, 10, [13])),
    // "The first Saturday that follows the first Sunday of the month, forever"
    // ==> September 13; October 11; November 8; December 13; January 10; February 7; March 7;
    // April 11; May 9; June 13.
    RFCExample(
        name: "first Saturday after the first Sunday", rule: "FREQ=MONTHLY;BYDAY=SA;BYMONTHDAY=7,8,9,10,11,12,13",
        dtstart: "19970913T090000",
        expected: days(1997, 9, [13]) + days(1997, 10, [11]) + days(1997, 11, [8]) + days(1997, 12, [13])
            + days(1998, 1, [10]) + days(1998, 2, [7]) + days(1998, 3, [7]) + days(1998, 4, [11])
            + days(1998, 5, [9]) + days(1998, 6, [13])),
    // "Every 4 years, the first Tuesday after a Monday in November, forever (U.S. Presidential
    // Election day)" ==> November 5, 1996; November 7, 2000; November 2, 2004.
    RFCExample(
        name: "US presidential election day", rule: "FREQ=YEARLY;INTERVAL=4;BYMONTH=11;BYDAY=TU;BYMONTHDAY=2,3,4,5,6,7,8",
        dtstart: "19961105T090000", expected: days(1996, 11, [5]) + days(2000, 11, [7]) + days(2004, 11, [2])),
    // "The third instance into the month of one of Tuesday, Wednesday, or Thursday, for the
    // next 3 months" (COUNT=3) ==> September 4; October 7; November 6.
    RFCExample(
        name: "third Tuesday, Wednesday or Thursday", rule: "FREQ=MONTHLY;UNTIL=19971106T090000;BYDAY=TU,WE,TH;BYSETPOS=3",
        dtstart: "19970904T090000", expected: days(1997, 9, [4]) + days(1997, 10, [7]) + days(1997, 11, [6])),
    // "The second-to-last weekday of the month" ==> September 29; October 30; November 27;
    // December 30; January 29; February 26; March 30.
    RFCExample(
        name: "second-to-last weekday", rule: "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-2", dtstart: "19970929T090000",
        expected: days(1997, 9, [29]) + days(1997, 10, [30]) + days(1997, 11, [27]) + days(1997, 12, [30])
            + days(1998, 1, [29]) + days(1998, 2, [26]) + days(1998, 3, [30])),
    // "Every 3 hours from 9:00 AM to 5:00 PM on a specific day" ==> 09:00, 12:00, 15:00.
    // The RFC writes UNTIL=19970902T170000Z, which is 13:00 EDT and would stop after 12:00
    // (a known slip in the RFC); its result and title mean 5:00 PM wall clock, passed here.
    RFCExample(
        name: "every 3 hours from 9 to 5", rule: "FREQ=HOURLY;INTERVAL=3;UNTIL=19970902T170000Z",
        dtstart: "19970902T090000", until: "19970902T170000",
        expected: times(1997, 9, 2, [(9, 0), (12, 0), (15, 0)])),
    // "Every 15 minutes for 6 occurrences" (COUNT=6) ==> 09:00, 09:15, 09:30, 09:45, 10:00, 10:15.
    RFCExample(
        name: "every 15 minutes for 6 occurrences", rule: "FREQ=MINUTELY;INTERVAL=15;UNTIL=19970902T101500",
        dtstart: "19970902T090000",
        expected: times(1997, 9, 2, [(9, 0), (9, 15), (9, 30), (9, 45), (10, 0), (10, 15)])),
    // "Every hour and a half for 4 occurrences" (COUNT=4) ==> 09:00, 10:30, 12:00, 13:30.
    RFCExample(
        name: "every hour and a half", rule: "FREQ=MINUTELY;INTERVAL=90;UNTIL=19970902T133000",
        dtstart: "19970902T090000", expected: times(1997, 9, 2, [(9, 0), (10, 30), (12, 0), (13, 30)])),
    // "Every 20 minutes from 9:00 AM to 4:40 PM every day" (first form)
    // ==> September 2 and 3: 9:00, 9:20, 9:40, 10:00, … 16:00, 16:20, 16:40.
    RFCExample(
        name: "every 20 minutes from 9 to 16:40 (DAILY form)",
        rule: "FREQ=DAILY;BYHOUR=9,10,11,12,13,14,15,16;BYMINUTE=0,20,40", dtstart: "19970902T090000",
        expected: [2, 3].flatMap { day in times(1997, 9, day, (9...16).flatMap { hour in [(hour, 0), (hour, 20), (hour, 40)] }) }),
    // Same example, second form.
    RFCExample(
        name: "every 20 minutes from 9 to 16:40 (MINUTELY form)",
        rule: "FREQ=MINUTELY;INTERVAL=20;BYHOUR=9,10,11,12,13,14,15,16", dtstart: "19970902T090000",
        expected: [2, 3].flatMap { day in times(1997, 9, day, (9...16).flatMap { hour in [(hour, 0), (hour, 20), (hour, 40)] }) }),
    // "An example where the days generated makes a difference because of WKST" (COUNT=4):
    // WKST=MO ==> August 5,10,19,24.
    RFCExample(
        name: "WKST=MO", rule: "FREQ=WEEKLY;INTERVAL=2;UNTIL=19970824T090000;BYDAY=TU,SU;WKST=MO",
        dtstart: "19970805T090000", expected: days(1997, 8, [5, 10, 19, 24])),
    // "changing only WKST from MO to SU, yields different results" (COUNT=4) ==> August 5,17,19,31.
    RFCExample(
        name: "WKST=SU", rule: "FREQ=WEEKLY;INTERVAL=2;UNTIL=19970831T090000;BYDAY=TU,SU;WKST=SU",
        dtstart: "19970805T090000", expected: days(1997, 8, [5, 17, 19, 31])),
    // "An example where an invalid date (i.e., February 30) is ignored" (COUNT=5)
    // ==> January 15,30; February 15; March 15,30 (2007).
    RFCExample(
        name: "February 30 is skipped", rule: "FREQ=MONTHLY;BYMONTHDAY=15,30;UNTIL=20070330T090000",
        dtstart: "20070115T090000", expected: days(2007, 1, [15, 30]) + days(2007, 2, [15]) + days(2007, 3, [15, 30])),
]

@Suite("RRULE: RFC 5545 §3.8.5.3 examples")
struct RRuleRFCExampleTests {
    @Test(arguments: rfcExamples)
    func example(_ example: RFCExample) throws {
        #expect(try example.run() == example.expected)
    }
}

// MARK: - Parsing

@Suite("RRULE: parsing")
struct RRuleParsingTests {
    @Test func partsAreParsed() throws {
        let rule = try RRule(
            parsing: "FREQ=MONTHLY;INTERVAL=2;WKST=SU;BYMONTH=3,1;BYMONTHDAY=-1,15;BYDAY=-1FR,+2MO,TU;"
                + "BYHOUR=9;BYMINUTE=30,0;BYSECOND=5;BYSETPOS=-1;BYYEARDAY=100;BYWEEKNO=-53")
        #expect(rule.frequency == .monthly)
        #expect(rule.interval == 2)
        #expect(rule.weekStart == .sunday)
        #expect(rule.byMonth == [1, 3])
        #expect(rule.byMonthDay == [-1, 15])
        #expect(
            rule.byDay == [
                .init(weekday: .monday, ordinal: 2), .init(weekday: .tuesday, ordinal: nil),
                .init(weekday: .friday, ordinal: -1),
            ])
        #expect(rule.byHour == [9])
        #expect(rule.byMinute == [0, 30])
        #expect(rule.bySecond == [5])
        #expect(rule.bySetPosition == [-1])
        #expect(rule.byYearDay == [100])
        #expect(rule.byWeekNumber == [-53])
        #expect(rule.until == nil)
    }

    @Test func defaults() throws {
        let rule = try RRule(parsing: "FREQ=DAILY")
        #expect(rule.interval == 1)
        #expect(rule.weekStart == .monday)
        #expect(rule.until == nil)
        #expect(!rule.untilIsUTC)
    }

    @Test(arguments: ["rRuLe:freq=weekly;byday=mo,we", "RRULE:FREQ=WEEKLY;BYDAY=MO,WE", "  Freq=Weekly;ByDay=Mo,We\n"])
    func prefixAndCaseAreIgnored(_ text: String) throws {
        let rule = try RRule(parsing: text)
        #expect(rule == (try RRule(parsing: "FREQ=WEEKLY;BYDAY=MO,WE")))
        #expect(rule.frequency == .weekly)
    }

    @Test func untilForms() throws {
        let dateOnly = try RRule(parsing: "FREQ=DAILY;UNTIL=20240305")
        #expect(dateOnly.until == CivilDateTime(year: 2024, month: 3, day: 5))
        #expect(!dateOnly.untilIsUTC)
        let utc = try RRule(parsing: "FREQ=DAILY;UNTIL=20240305T123456Z")
        #expect(utc.until == CivilDateTime(year: 2024, month: 3, day: 5, hour: 12, minute: 34, second: 56))
        #expect(utc.untilIsUTC)
        let local = try RRule(parsing: "FREQ=DAILY;until=20240305t235959")
        #expect(local.until == CivilDateTime(year: 2024, month: 3, day: 5, hour: 23, minute: 59, second: 59))
        #expect(!local.untilIsUTC)
    }

    /// The wording the brief asks for, word for word.
    @Test(arguments: [
        ("FREQ=DAILY;BYHOUR=25", "RRULE part \"BYHOUR=25\": hour 25 is out of range 0…23."),
        (
            "FREQ=DAILY;COUNT=5",
            "RRULE part \"COUNT=5\": COUNT is not supported (dsari schedules run indefinitely; use UNTIL to end a rule)."
        ),
        ("FREQ=DAILY;FOO=1", "RRULE \"FREQ=DAILY;FOO=1\": unknown part \"FOO\"."),
        ("", "RRULE \"\": the rule is empty."),
        ("RRULE:", "RRULE \"RRULE:\": the rule is empty."),
        ("BYHOUR=3", "RRULE \"BYHOUR=3\": FREQ is required."),
        ("FREQ=DAILY;FREQ=WEEKLY", "RRULE \"FREQ=DAILY;FREQ=WEEKLY\": part \"FREQ\" is given more than once."),
        ("FREQ=DAILY;", "RRULE \"FREQ=DAILY;\": it has an empty part (a stray \";\")."),
        ("FREQ=DAILY;BYHOUR", "RRULE part \"BYHOUR\": a part must read NAME=VALUE."),
        ("FREQ=DAILY;BYHOUR=", "RRULE part \"BYHOUR=\": BYHOUR has no value."),
        ("FREQ=DAILY;BYHOUR=1,,2", "RRULE part \"BYHOUR=1,,2\": \"\" is not a whole number."),
        (
            "FREQ=FORTNIGHTLY",
            "RRULE part \"FREQ=FORTNIGHTLY\": \"FORTNIGHTLY\" is not a frequency (SECONDLY, MINUTELY, HOURLY, DAILY, WEEKLY, MONTHLY or YEARLY)."
        ),
        ("FREQ=DAILY;INTERVAL=0", "RRULE part \"INTERVAL=0\": INTERVAL must be a whole number from 1 to 1000000000."),
        (
            "FREQ=DAILY;UNTIL=2024",
            "RRULE part \"UNTIL=2024\": \"2024\" is not a date (YYYYMMDD) or a date and time (YYYYMMDDTHHMMSS), optionally ending in Z."
        ),
        ("FREQ=DAILY;UNTIL=20230229", "RRULE part \"UNTIL=20230229\": 20230229 is not a valid date."),
        ("FREQ=DAILY;UNTIL=20240101T240000Z", "RRULE part \"UNTIL=20240101T240000Z\": 240000 is not a valid time of day."),
        ("FREQ=WEEKLY;WKST=XX", "RRULE part \"WKST=XX\": \"XX\" is not a weekday (MO, TU, WE, TH, FR, SA or SU)."),
        ("FREQ=YEARLY;BYMONTH=13", "RRULE part \"BYMONTH=13\": month 13 is out of range 1…12."),
        ("FREQ=YEARLY;BYWEEKNO=0", "RRULE part \"BYWEEKNO=0\": week number 0 is out of range -53…-1 or 1…53."),
        ("FREQ=YEARLY;BYYEARDAY=-367", "RRULE part \"BYYEARDAY=-367\": year day -367 is out of range -366…-1 or 1…366."),
        ("FREQ=MONTHLY;BYMONTHDAY=32", "RRULE part \"BYMONTHDAY=32\": month day 32 is out of range -31…-1 or 1…31."),
        (
            "FREQ=MONTHLY;BYDAY=XX",
            "RRULE part \"BYDAY=XX\": \"XX\" is not a weekday, optionally preceded by a signed ordinal (e.g. MO, 2TU, -1FR)."
        ),
        ("FREQ=MONTHLY;BYDAY=0MO", "RRULE part \"BYDAY=0MO\": ordinal 0 in \"0MO\" is out of range -53…-1 or 1…53."),
        ("FREQ=YEARLY;BYDAY=-54SU", "RRULE part \"BYDAY=-54SU\": ordinal -54 in \"-54SU\" is out of range -53…-1 or 1…53."),
        ("FREQ=DAILY;BYMINUTE=60", "RRULE part \"BYMINUTE=60\": minute 60 is out of range 0…59."),
        // RFC 5545 allows a leap second 60; dateutil refuses it.
        ("FREQ=DAILY;BYSECOND=60", "RRULE part \"BYSECOND=60\": second 60 is out of range 0…59."),
        ("FREQ=MONTHLY;BYSETPOS=0", "RRULE part \"BYSETPOS=0\": set position 0 is out of range -366…-1 or 1…366."),
        ("FREQ=DAILY;BYHOUR=-1", "RRULE part \"BYHOUR=-1\": hour -1 is out of range 0…23."),
    ])
    func errors(_ text: String, _ message: String) {
        #expect {
            try RRule(parsing: text)
        } throws: { error in
            (error as? RRuleError)?.description == message
        }
    }
}

// MARK: - Semantics beyond the RFC examples

@Suite("RRULE: dateutil semantics")
struct RRuleSemanticsTests {
    /// Without BY* parts the day comes from DTSTART according to FREQ.
    @Test(arguments: [
        ("FREQ=YEARLY", ["20240315T083000", "20250315T083000", "20260315T083000"]),
        ("FREQ=MONTHLY", ["20240315T083000", "20240415T083000", "20240515T083000"]),
        ("FREQ=WEEKLY", ["20240315T083000", "20240322T083000", "20240329T083000"]),
        ("FREQ=DAILY", ["20240315T083000", "20240316T083000", "20240317T083000"]),
        ("FREQ=HOURLY;INTERVAL=5", ["20240315T083000", "20240315T133000", "20240315T183000"]),
        ("FREQ=YEARLY;BYMONTH=6", ["20240615T083000", "20250615T083000", "20260615T083000"]),
        ("FREQ=DAILY;BYHOUR=7,20", ["20240315T203000", "20240316T073000", "20240316T203000"]),
    ])
    func defaultsComeFromDTSTART(_ rule: String, _ expected: [String]) throws {
        #expect(try expand(rule, "20240315T083000", limit: 3) == expected.map(civil))
    }

    /// The 31st exists only in long months; it is never moved to the 1st.
    @Test func shortMonthsAreSkipped() throws {
        #expect(
            try expand("FREQ=MONTHLY", "20240131T120000", limit: 4)
                == ["20240131T120000", "20240331T120000", "20240531T120000", "20240731T120000"].map(civil))
    }

    /// DTSTART that does not match the rule is not an occurrence.
    @Test func unmatchedDTSTARTIsNotAnOccurrence() throws {
        #expect(
            try expand("FREQ=WEEKLY;BYDAY=FR", "20240101T090000", limit: 2)
                == ["20240105T090000", "20240112T090000"].map(civil))
    }

    /// The caller's `until` ends the rule inclusively, whatever the rule's UNTIL says.
    @Test func untilIsInclusive() throws {
        #expect(
            try expand("FREQ=DAILY", "20240101T090000", until: "20240103T090000")
                == ["20240101T090000", "20240102T090000", "20240103T090000"].map(civil))
        #expect(
            try expand("FREQ=DAILY", "20240101T090000", until: "20240103T085959")
                == ["20240101T090000", "20240102T090000"].map(civil))
    }

    /// dateutil quirks replicated on purpose.
    @Test(arguments: [
        // Ordinals are ignored below MONTHLY: 2MO in a WEEKLY rule is every Monday.
        ("FREQ=WEEKLY;BYDAY=2MO", "20240101T090000", ["20240101T090000", "20240108T090000"]),
        // Plain and numbered weekdays together must both hold, so this never matches.
        ("FREQ=MONTHLY;BYDAY=MO,1FR", "20240101T090000", []),
        // An hour INTERVAL=2 cannot reach from 09:00 (odd hours only): no occurrence at all.
        ("FREQ=HOURLY;INTERVAL=2;BYHOUR=4", "20240101T090000", []),
        // Odd hours can: 09:00 + 2h steps reaches 03:00.
        ("FREQ=HOURLY;INTERVAL=2;BYHOUR=3", "20240101T090000", ["20240102T030000", "20240103T030000"]),
        // HOURLY expands BYMINUTE within DTSTART's hour too: 10:30 follows a 10:15 DTSTART.
        ("FREQ=HOURLY;BYMINUTE=0,30", "20240101T101500", ["20240101T103000", "20240101T110000"]),
        // YEARLY with BYWEEKNO and a numbered weekday counts within the year: the year's
        // first Monday, when it falls in week 1.
        ("FREQ=YEARLY;BYWEEKNO=1;BYDAY=1MO", "20240101T090000", ["20240101T090000", "20270104T090000"]),
        // BYSETPOS picks from one period's days × times.
        ("FREQ=DAILY;BYHOUR=8,12,18;BYSETPOS=-1", "20240101T090000", ["20240101T180000", "20240102T180000"]),
    ])
    func dateutilQuirks(_ rule: String, _ dtstart: String, _ expected: [String]) throws {
        #expect(try expand(rule, dtstart, limit: 2) == expected.map(civil))
    }

    /// Walking by `firstOccurrence(after:)` gives the same as the sequence.
    @Test(arguments: [
        "FREQ=MONTHLY;BYDAY=-1FR;BYHOUR=9,17", "FREQ=WEEKLY;INTERVAL=3;BYDAY=MO,SU;WKST=SU",
        "FREQ=YEARLY;BYWEEKNO=1,-1;BYDAY=TH", "FREQ=MINUTELY;INTERVAL=7;BYHOUR=0,23",
        "FREQ=SECONDLY;INTERVAL=13;BYMINUTE=5", "FREQ=MONTHLY;BYMONTHDAY=1,-1;BYSETPOS=2",
    ])
    func firstOccurrenceAfterMatchesSequence(_ text: String) throws {
        let rule = try RRule(parsing: text)
        let dtstart = civil("20231230T170503")
        let expected = Array(rule.occurrences(dtstart: dtstart, until: nil).prefix(30))
        var walked: [CivilDateTime] = []
        var cursor = dtstart.adding(seconds: -1)
        while walked.count < 30, let next = rule.firstOccurrence(after: cursor, dtstart: dtstart, until: nil) {
            walked.append(next)
            cursor = next
        }
        #expect(walked == expected)
        #expect(expected.count == 30)
    }

    @Test func firstOccurrenceIsStrictlyAfter() throws {
        let rule = try RRule(parsing: "FREQ=DAILY;BYHOUR=9;BYMINUTE=0")
        let dtstart = civil("20240101T090000")
        #expect(rule.firstOccurrence(after: civil("20240105T090000"), dtstart: dtstart, until: nil) == civil("20240106T090000"))
        #expect(rule.firstOccurrence(after: civil("20240105T085959"), dtstart: dtstart, until: nil) == civil("20240105T090000"))
        #expect(rule.firstOccurrence(after: civil("20231201T000000"), dtstart: dtstart, until: nil) == dtstart)
        #expect(rule.firstOccurrence(after: civil("20240105T090000"), dtstart: dtstart, until: civil("20240105T090000")) == nil)
    }

    /// A DTSTART decades back does not make the next occurrence slow to find.
    @Test func firstOccurrenceAfterLongAgoIsFast() throws {
        let rule = try RRule(parsing: "FREQ=SECONDLY;INTERVAL=7")
        let dtstart = civil("19900101T000000")
        let (next, steps) = rule.firstOccurrenceSearch(after: civil("20240615T120000"), dtstart: dtstart, until: nil)
        // 1990-01-01 to 2024-06-15 12:00 is 1 087 300 800 s; the next multiple of 7 after it.
        #expect(next == civil("20240615T120000").adding(seconds: 7 - 1_087_300_800 % 7))
        #expect(rule.firstOccurrence(after: civil("20240615T120000"), dtstart: dtstart, until: nil) == next)
        // Started at the period holding the time, not walked from 1990 (155 million periods).
        #expect(steps <= 4)
    }

    /// February 29 from a non-leap year: found without walking day by day.
    @Test func leapDayIsFoundQuickly() throws {
        let rule = try RRule(parsing: "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29")
        let (found, steps) = search(rule, dtstart: civil("20210301T060000"), count: 3)
        #expect(found == ["20240229T060000", "20280229T060000", "20320229T060000"].map(civil))
        #expect(steps <= 12, "a year per step at most")
        // Every 4 years from an odd year never meets a leap year: nothing, and
        // known after one 400-year cycle (100 periods) rather than at year 9999.
        let never = try RRule(parsing: "FREQ=YEARLY;INTERVAL=4;BYMONTH=2;BYMONTHDAY=29")
        let (none, searched) = search(never, dtstart: civil("20210301T060000"))
        #expect(none.isEmpty)
        #expect(searched <= 101)
    }

    /// Rules that can never match end quickly instead of walking to year 9999.
    @Test(arguments: [
        "FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
        "FREQ=MONTHLY;BYMONTHDAY=31;BYMONTH=4,6,9,11", "FREQ=DAILY;INTERVAL=7;BYDAY=TU",
        "FREQ=HOURLY;INTERVAL=168;BYDAY=TU", "FREQ=MINUTELY;BYMONTH=2;BYYEARDAY=100",
        "FREQ=WEEKLY;BYMONTHDAY=31;BYMONTH=2", "FREQ=MONTHLY;INTERVAL=12;BYMONTH=2",
        "FREQ=SECONDLY;INTERVAL=2;BYSECOND=1", "FREQ=MINUTELY;BYSETPOS=2",
        "FREQ=MONTHLY;BYDAY=MO,1FR", "FREQ=YEARLY;BYWEEKNO=53;BYMONTH=6",
    ])
    func neverMatchingRulesEndQuickly(_ text: String) throws {
        let rule = try RRule(parsing: text)
        let (first, steps) = search(rule, dtstart: civil("20240101T090000"))
        #expect(first.isEmpty)
        // Within one pass over the calendar's 400-year cycle (146 097 days:
        // 41 801 turns for a weekly step that never lands on a Tuesday), never
        // the 2.9 million days to year 9999.
        #expect(steps <= 50_000)
    }

    @Test func occurrencesAreAscendingWithoutRepeats() throws {
        let rule = try RRule(parsing: "FREQ=YEARLY;BYMONTH=1,12;BYMONTHDAY=1,-1,31;BYDAY=MO,FR;BYHOUR=0,23;BYSETPOS=1,2,-1,-2")
        let values = Array(rule.occurrences(dtstart: civil("19991201T000000"), until: nil).prefix(200))
        #expect(values.count == 200)
        #expect(zip(values, values.dropFirst()).allSatisfy { $0 < $1 })
    }

    /// Occurrences stop at year 9999, as dateutil's do.
    @Test func lastYearIs9999() throws {
        let values = try expand("FREQ=YEARLY", "99970704T000000")
        #expect(values == ["99970704T000000", "99980704T000000", "99990704T000000"].map(civil))
    }
}
