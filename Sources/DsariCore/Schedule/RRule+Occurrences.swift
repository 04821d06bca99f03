extension RRule {
    /// The rule's occurrences from `dtstart` on, ascending and without repeats,
    /// exactly as python-dateutil's `rrule` yields them for a naive DTSTART.
    ///
    /// `until` is the rule's end on the same wall clock as `dtstart` (the caller
    /// converts a UTC `UNTIL=…Z`); an occurrence equal to it is included.
    /// DTSTART is an occurrence only when it matches the rule.
    func occurrences(dtstart: CivilDateTime, until: CivilDateTime?) -> RRuleOccurrences {
        RRuleOccurrences(rule: self, dtstart: dtstart, until: until, from: dtstart)
    }

    /// The first occurrence strictly after `after`, or nil when there is none.
    ///
    /// Starts at the period containing `after` rather than walking every
    /// occurrence since `dtstart`, so it stays fast however old `dtstart` is.
    func firstOccurrence(after: CivilDateTime, dtstart: CivilDateTime, until: CivilDateTime?)
        -> CivilDateTime?
    {
        firstOccurrenceSearch(after: after, dtstart: dtstart, until: until).found
    }

    /// `firstOccurrence`, with the loop turns the search took (which tests
    /// bound instead of its time).
    func firstOccurrenceSearch(after: CivilDateTime, dtstart: CivilDateTime, until: CivilDateTime?)
        -> (found: CivilDateTime?, steps: Int)
    {
        var iterator = RRuleOccurrences(
            rule: self, dtstart: dtstart, until: until, from: after.adding(seconds: 1)
        ).makeIterator()
        let found = iterator.next()
        return (found, iterator.steps)
    }
}

/// The occurrences of an `RRule`: a lazy, ascending sequence without repeats.
///
/// It replicates dateutil's `rrule._iter`: time is cut into periods of the
/// rule's frequency (a year, a month, a week from WKST, a day, an hour, …),
/// every INTERVAL-th period counted from DTSTART's is expanded into the days
/// that pass the BY* day filters times the times of day, BYSETPOS picks from
/// that per period, and results before DTSTART are dropped. Where dateutil
/// walks day by day (and stops at year 9999), this skips whole years, days
/// and periods that cannot match, and stops as soon as the calendar's 400-year
/// cycle shows that nothing will ever match, so every search is short.
struct RRuleOccurrences: Sequence, Sendable {
    /// nil when the rule can never produce an occurrence for this DTSTART.
    let plan: Plan?
    /// Wall-clock seconds since the epoch before which nothing is returned.
    let lowerBound: Int

    init(rule: RRule, dtstart: CivilDateTime, until: CivilDateTime?, from: CivilDateTime) {
        plan = Plan(rule: rule, dtstart: dtstart, until: until)
        lowerBound = Int(Swift.max(dtstart.secondsSinceEpoch, from.secondsSinceEpoch))
    }

    /// An iterator starting at the first occurrence.
    func makeIterator() -> Iterator {
        Iterator(plan: plan, lowerBound: lowerBound)
    }

    /// Walks the periods one by one; see `RRuleOccurrences`.
    struct Iterator: IteratorProtocol, Sendable {
        let plan: Plan?
        let lowerBound: Int
        /// Day filters per kind of year, built on first use (see `YearMask.key`).
        var masks: [YearMask?] = Array(repeating: nil, count: YearMask.keyCount)
        /// The next period to expand.
        var position: Position
        /// Consecutive periods without a single candidate day, counted against
        /// `plan.emptyPeriodLimit`.
        var emptyStreak = 0
        var finished = false
        /// Loop turns taken so far (periods, years and days skipped): the
        /// work a search cost, which tests bound instead of its time.
        var steps = 0
        // The current period's occurrences are `bases × offsets` (seconds),
        // read in order from `baseIndex`, `offsetIndex`.
        var bases: [Int] = []
        var offsets: [Int] = []
        var baseIndex = 0
        var offsetIndex = 0

        init(plan: Plan?, lowerBound: Int) {
            self.plan = plan
            self.lowerBound = lowerBound
            position = plan.map { Position(plan: $0, lowerBound: lowerBound) } ?? .counter(0)
            finished = plan == nil
        }

        /// The next occurrence, or nil once there are no more.
        mutating func next() -> CivilDateTime? {
            guard let plan else { return nil }
            while !finished {
                if baseIndex < bases.count {
                    let value = bases[baseIndex] + offsets[offsetIndex]
                    offsetIndex += 1
                    if offsetIndex == offsets.count {
                        offsetIndex = 0
                        baseIndex += 1
                    }
                    if value > plan.untilSeconds {
                        finished = true
                        return nil
                    }
                    return CivilDateTime(secondsSinceEpoch: Int64(value))
                }
                guard let batch = nextBatch(plan) else {
                    finished = true
                    return nil
                }
                load(batch, plan)
            }
            return nil
        }

        /// Makes `batch` the current period, applying BYSETPOS and the lower bound.
        mutating func load(_ batch: Batch, _ plan: Plan) {
            if plan.setPositions.isEmpty {
                bases = batch.bases
                offsets = batch.offsets
                // Occurrences are ordered by base, then offset (offsets are
                // shorter than the gap between bases), so search both in turn.
                let lastOffset = offsets.last ?? 0
                baseIndex = bases.partitioningIndex { $0 + lastOffset >= lowerBound }
                offsetIndex = 0
                if baseIndex < bases.count {
                    let base = bases[baseIndex]
                    offsetIndex = offsets.partitioningIndex { base + $0 >= lowerBound }
                }
                return
            }
            // dateutil indexes the period's days × times as one list, from the
            // end for negative positions, ignoring positions past either end.
            let total = batch.bases.count * batch.offsets.count
            var picked: Set<Int> = []
            for position in plan.setPositions {
                let index = position > 0 ? position - 1 : total + position
                if index >= 0, index < total {
                    let value =
                        batch.bases[index / batch.offsets.count] + batch.offsets[index % batch.offsets.count]
                    if value >= lowerBound {
                        picked.insert(value)
                    }
                }
            }
            bases = picked.sorted()
            offsets = [0]
            baseIndex = 0
            offsetIndex = 0
        }

        /// The next period with at least one candidate, or nil when none is left.
        mutating func nextBatch(_ plan: Plan) -> Batch? {
            switch position {
            case .year(let year): nextYearly(plan, year: year)
            case .month(let index): nextMonthly(plan, monthIndex: index)
            case .week(let number): nextWeekly(plan, number: number)
            case .counter(let counter): nextCounted(plan, from: counter)
            }
        }

        /// Counts an empty period; true once the 400-year cycle proves no
        /// later period can match either.
        mutating func registerEmptyPeriods(_ count: Int, _ plan: Plan) -> Bool {
            emptyStreak += count
            return emptyStreak >= plan.emptyPeriodLimit
        }

        mutating func nextYearly(_ plan: Plan, year start: Int) -> Batch? {
            var year = start
            while year <= Plan.lastYear {
                steps += 1
                let firstDay = Plan.firstDay(ofYear: year)
                if firstDay * 86_400 > plan.untilSeconds {
                    return nil
                }
                let mask = mask(forYear: year, plan)
                year += plan.interval
                position = .year(year)
                if mask.allowedDays.count * plan.periodOffsets.count < plan.minimumPeriodSize {
                    if registerEmptyPeriods(1, plan) { return nil }
                    continue
                }
                emptyStreak = 0
                return Batch(bases: mask.allowedDays.map { (firstDay + $0) * 86_400 }, offsets: plan.periodOffsets)
            }
            return nil
        }

        mutating func nextMonthly(_ plan: Plan, monthIndex start: Int) -> Batch? {
            var index = start
            while true {
                steps += 1
                let year = index.floorDivided(by: 12)
                let month = index - year * 12 + 1
                guard year <= Plan.lastYear else { return nil }
                let firstDay = Plan.firstDay(ofYear: year)
                let mask = mask(forYear: year, plan)
                let monthStart = mask.monthStarts[month - 1]
                if (firstDay + monthStart) * 86_400 > plan.untilSeconds {
                    return nil
                }
                if mask.allowedDays.isEmpty {
                    // Nothing this year: jump to the first period in the next one.
                    let steps = Plan.ceilingDivide((year + 1) * 12 - index, plan.interval)
                    index += steps * plan.interval
                    position = .month(index)
                    if registerEmptyPeriods(steps, plan) { return nil }
                    continue
                }
                index += plan.interval
                position = .month(index)
                let days = mask.allowedDays[
                    mask.nextAllowed[monthStart]..<mask.nextAllowed[mask.monthStarts[month]]]
                if days.count * plan.periodOffsets.count < plan.minimumPeriodSize {
                    if registerEmptyPeriods(1, plan) { return nil }
                    continue
                }
                emptyStreak = 0
                return Batch(bases: days.map { (firstDay + $0) * 86_400 }, offsets: plan.periodOffsets)
            }
        }

        /// Week 0 runs from DTSTART's day to the day before the next WKST;
        /// week n ≥ 1 is the 7 days from `firstWeekStart + 7 · INTERVAL · n`.
        /// A week is filtered with the masks of the year it starts in, even
        /// for its days in the next year, as dateutil does.
        mutating func nextWeekly(_ plan: Plan, number start: Int) -> Batch? {
            var number = start
            while true {
                steps += 1
                let startDay = number == 0 ? plan.dtstartDay : plan.firstWeekStart + 7 * plan.interval * number
                let length = number == 0 ? plan.firstWeekLength : 7
                let year = CivilDate(daysSinceEpoch: startDay).year
                guard year <= Plan.lastYear else { return nil }
                if startDay * 86_400 > plan.untilSeconds {
                    return nil
                }
                let firstDay = Plan.firstDay(ofYear: year)
                let mask = mask(forYear: year, plan)
                if number > 0, !mask.anyAllowed {
                    let nextYear = Plan.firstDay(ofYear: year + 1)
                    let next = Swift.max(
                        number + 1, Plan.ceilingDivide(nextYear - plan.firstWeekStart, 7 * plan.interval))
                    if registerEmptyPeriods(next - number, plan) { return nil }
                    number = next
                    position = .week(number)
                    continue
                }
                let index = startDay - firstDay
                let days = (0..<length).filter { mask.allowed[index + $0] }.map { startDay + $0 }
                number += 1
                position = .week(number)
                if days.count * plan.periodOffsets.count < plan.minimumPeriodSize {
                    if number > 1, registerEmptyPeriods(1, plan) { return nil }
                    continue
                }
                emptyStreak = 0
                return Batch(bases: days.map { $0 * 86_400 }, offsets: plan.periodOffsets)
            }
        }

        /// DAILY and finer: a period is one unit (day, hour, minute, second)
        /// numbered from the epoch; the periods taken are those ≡ DTSTART's
        /// modulo INTERVAL whose day passes the filters and whose time of day
        /// is in BYHOUR/BYMINUTE/BYSECOND. dateutil reaches the same periods by
        /// stepping and jumping to the end of filtered days.
        mutating func nextCounted(_ plan: Plan, from start: Int) -> Batch? {
            let unitsPerDay = plan.unitsPerDay
            // The filters repeat every 400 years and the stepping every
            // INTERVAL units: a search as long as both cycles finds all there is.
            let searchEnd = start.addingReportingOverflow(plan.counterCycle)
            var lower = start
            while true {
                steps += 1
                let candidate = lower + (plan.dtstartCounter - lower).floorModulo(plan.interval)
                if !searchEnd.overflow, candidate >= searchEnd.partialValue {
                    return nil
                }
                if candidate * plan.unitSeconds > plan.untilSeconds {
                    return nil
                }
                let day = candidate.floorDivided(by: unitsPerDay)
                let limit = searchEnd.overflow ? Int.max : searchEnd.partialValue.floorDivided(by: unitsPerDay) + 1
                guard let allowedDay = nextAllowedDay(onOrAfter: day, before: limit, plan) else { return nil }
                if allowedDay > day {
                    lower = allowedDay * unitsPerDay
                    continue
                }
                if let offset = plan.firstValidOffset(from: candidate - day * unitsPerDay) {
                    let found = day * unitsPerDay + offset
                    position = .counter(found + plan.interval)
                    return Batch(bases: [found * plan.unitSeconds], offsets: plan.periodOffsets)
                }
                lower = (day + 1) * unitsPerDay
            }
        }

        /// The first day on or after `day` and before `limit` that passes the day filters.
        mutating func nextAllowedDay(onOrAfter day: Int, before limit: Int, _ plan: Plan) -> Int? {
            var day = day
            while day < limit {
                steps += 1
                let year = CivilDate(daysSinceEpoch: day).year
                guard year <= Plan.lastYear else { return nil }
                let firstDay = Plan.firstDay(ofYear: year)
                let mask = mask(forYear: year, plan)
                let next = mask.nextAllowed[day - firstDay]
                if next < mask.allowedDays.count {
                    return firstDay + mask.allowedDays[next]
                }
                day = firstDay + mask.length
            }
            return nil
        }

        mutating func mask(forYear year: Int, _ plan: Plan) -> YearMask {
            let key = YearMask.key(year: year)
            if let mask = masks[key] {
                return mask
            }
            let mask = YearMask(plan: plan, year: year)
            masks[key] = mask
            return mask
        }
    }
}

extension RRuleOccurrences {
    /// One period's candidates: every base (seconds) plus every offset.
    struct Batch {
        var bases: [Int]
        var offsets: [Int]
    }

    /// Which period comes next, per frequency.
    enum Position: Sendable {
        case year(Int)
        /// year · 12 + month − 1
        case month(Int)
        /// 0 is DTSTART's (partial) week; see `Iterator.nextWeekly`.
        case week(Int)
        /// A lower bound for the next period, in units since the epoch.
        case counter(Int)

        /// The first period that can hold an occurrence at or after `lowerBound`.
        init(plan: Plan, lowerBound: Int) {
            let from = CivilDateTime(secondsSinceEpoch: Int64(lowerBound))
            let interval = plan.interval
            let dtstart = plan.dtstart
            switch plan.frequency {
            case .yearly:
                let steps = Swift.max(0, Plan.ceilingDivide(from.year - dtstart.year, interval))
                self = .year(dtstart.year + steps * interval)
            case .monthly:
                let first = dtstart.year * 12 + dtstart.month - 1
                let steps = Swift.max(0, Plan.ceilingDivide(from.year * 12 + from.month - 1 - first, interval))
                self = .month(first + steps * interval)
            case .weekly:
                let fromDay = lowerBound.floorDivided(by: 86_400)
                if fromDay < plan.firstWeekStart + 7 {
                    self = .week(0)
                } else {
                    self = .week(Swift.max(1, Plan.ceilingDivide(fromDay - plan.firstWeekStart - 6, 7 * interval)))
                }
            case .daily, .hourly, .minutely, .secondly:
                self = .counter(Swift.max(plan.dtstartCounter, lowerBound.floorDivided(by: plan.unitSeconds)))
            }
        }
    }

    /// A BYDAY entry with an ordinal, for YEARLY and MONTHLY rules.
    struct NthWeekday: Sendable {
        /// Monday = 0.
        var weekday: Int
        var ordinal: Int
    }

    /// The rule resolved against DTSTART, as dateutil's `rrule.__init__` does:
    /// defaults filled in, lists turned into lookup tables.
    struct Plan: Sendable {
        static let lastYear = 9999  // dateutil's datetime.MAXYEAR

        let frequency: RRule.Frequency
        let interval: Int
        /// Monday = 0.
        let weekStart: Int
        let dtstart: CivilDateTime
        let dtstartDay: Int
        /// The last second an occurrence may fall on.
        let untilSeconds: Int

        // Day filters; nil means "any".
        let months: [Bool]?  // by month 1…12
        let monthList: [Int]
        let weekNumbers: [Int]?
        let yearDays: [Bool]?  // by value + 366
        let weekdays: [Bool]?  // by weekday, Monday = 0
        let nthWeekdays: [NthWeekday]
        let monthDays: [Bool]?  // by value 1…31
        let negativeMonthDays: [Bool]?  // by −value 1…31
        let setPositions: [Int]
        /// How many candidates a period needs for BYSETPOS to pick any (1 without it).
        let minimumPeriodSize: Int

        // Time of day; nil means "any".
        let hours: [Bool]?
        let minutes: [Bool]?
        let seconds: [Bool]?
        /// Seconds from a period's start to each of its times: from midnight
        /// for YEARLY…DAILY; within the hour or minute for HOURLY and MINUTELY.
        let periodOffsets: [Int]

        // WEEKLY: DTSTART's week.
        let firstWeekStart: Int
        let firstWeekLength: Int

        // DAILY and finer: periods are units counted from the epoch.
        let unitSeconds: Int
        let unitsPerDay: Int
        let dtstartCounter: Int
        /// Whether every unit of a day passes BYHOUR/BYMINUTE/BYSECOND.
        let allUnitsValid: Bool
        /// When INTERVAL < units per day: the valid units of a day sorted by
        /// (unit mod INTERVAL, unit); `residueStarts[r]` starts residue r.
        let residueUnits: [Int]
        let residueStarts: [Int]
        /// Units after which the filters and the stepping repeat together.
        let counterCycle: Int
        /// Periods without candidates after which none can ever have one.
        let emptyPeriodLimit: Int

        /// nil when no occurrence can exist for this DTSTART.
        init?(rule: RRule, dtstart: CivilDateTime, until: CivilDateTime?) {
            guard dtstart.year <= Plan.lastYear else { return nil }
            let frequency = rule.frequency
            let interval = rule.interval
            self.frequency = frequency
            self.interval = interval
            weekStart = rule.weekStart.rawValue
            self.dtstart = dtstart
            dtstartDay = dtstart.date.daysSinceEpoch
            // Nothing lies past 9999-12-31 23:59:59 (dateutil cannot even represent it;
            // a week starting late in 9999 would otherwise reach into 10000).
            let lastSecond = (Plan.firstDay(ofYear: Plan.lastYear + 1)) * 86_400 - 1
            untilSeconds = Swift.min(until.map { Int($0.secondsSinceEpoch) } ?? lastSecond, lastSecond)
            let dtstartWeekday = Plan.weekday(ofDay: dtstartDay)

            // Defaults from DTSTART when nothing restricts the day (dateutil).
            var monthList = rule.byMonth
            var monthDayList = rule.byMonthDay
            var weekdayList: [Int] = []
            var nth: [NthWeekday] = []
            if rule.byWeekNumber.isEmpty, rule.byYearDay.isEmpty, rule.byMonthDay.isEmpty, rule.byDay.isEmpty {
                switch frequency {
                case .yearly:
                    if monthList.isEmpty {
                        monthList = [dtstart.month]
                    }
                    monthDayList = [dtstart.day]
                case .monthly:
                    monthDayList = [dtstart.day]
                case .weekly:
                    weekdayList = [dtstartWeekday]
                default:
                    break
                }
            }
            // Ordinals count only for MONTHLY and YEARLY; finer rules drop them.
            for entry in rule.byDay {
                if let ordinal = entry.ordinal, frequency.rawValue <= RRule.Frequency.monthly.rawValue {
                    nth.append(NthWeekday(weekday: entry.weekday.rawValue, ordinal: ordinal))
                } else if !weekdayList.contains(entry.weekday.rawValue) {
                    weekdayList.append(entry.weekday.rawValue)
                }
            }
            self.monthList = monthList.sorted()
            months = Plan.table(monthList, size: 13)
            weekNumbers = rule.byWeekNumber.isEmpty ? nil : rule.byWeekNumber
            yearDays = rule.byYearDay.isEmpty ? nil : Plan.table(rule.byYearDay.map { $0 + 366 }, size: 733)
            weekdays = Plan.table(weekdayList, size: 7)
            nthWeekdays = nth
            let positiveDays = monthDayList.filter { $0 > 0 }
            let negativeDays = monthDayList.filter { $0 < 0 }.map { -$0 }
            // dateutil filters month days only when there are some; either sign then passes.
            monthDays = monthDayList.isEmpty ? nil : Plan.table(positiveDays, size: 32) ?? Array(repeating: false, count: 32)
            negativeMonthDays =
                monthDayList.isEmpty ? nil : Plan.table(negativeDays, size: 32) ?? Array(repeating: false, count: 32)
            setPositions = rule.bySetPosition
            minimumPeriodSize = rule.bySetPosition.map(abs).min() ?? 1

            // BYHOUR/BYMINUTE/BYSECOND default to DTSTART's when coarser than FREQ.
            let hourList =
                rule.byHour.isEmpty && frequency.rawValue < RRule.Frequency.hourly.rawValue
                ? [dtstart.hour] : rule.byHour
            let minuteList =
                rule.byMinute.isEmpty && frequency.rawValue < RRule.Frequency.minutely.rawValue
                ? [dtstart.minute] : rule.byMinute
            let secondList =
                rule.bySecond.isEmpty && frequency.rawValue < RRule.Frequency.secondly.rawValue
                ? [dtstart.second] : rule.bySecond
            hours = Plan.table(hourList, size: 24)
            minutes = Plan.table(minuteList, size: 60)
            seconds = Plan.table(secondList, size: 60)
            switch frequency {
            case .yearly, .monthly, .weekly, .daily:
                periodOffsets = Plan.combine(hourList, minuteList, secondList)
            case .hourly:
                periodOffsets = Plan.combine([0], minuteList, secondList)
            case .minutely:
                periodOffsets = secondList.sorted()
            case .secondly:
                periodOffsets = [0]
            }
            // DAILY and finer periods all hold the same times, so BYSETPOS
            // either always picks something or never does.
            if frequency.rawValue >= RRule.Frequency.daily.rawValue, periodOffsets.count < minimumPeriodSize {
                return nil
            }

            firstWeekStart = dtstartDay - (dtstartWeekday - weekStart).floorModulo(7)
            firstWeekLength = (weekStart - dtstartWeekday - 1).floorModulo(7) + 1

            // DAILY and finer: which units of a day BYHOUR/BYMINUTE/BYSECOND let through.
            let anyHour = Array(0..<24)
            let anyMinute = Array(0..<60)
            let validUnits: [Int]
            switch frequency {
            case .hourly:
                unitSeconds = 3600
                allUnitsValid = rule.byHour.isEmpty
                validUnits = allUnitsValid ? [] : rule.byHour
            case .minutely:
                unitSeconds = 60
                allUnitsValid = rule.byHour.isEmpty && rule.byMinute.isEmpty
                validUnits =
                    allUnitsValid
                    ? [] : Plan.combine([0], rule.byHour.isEmpty ? anyHour : rule.byHour, rule.byMinute.isEmpty ? anyMinute : rule.byMinute)
            case .secondly:
                unitSeconds = 1
                allUnitsValid = rule.byHour.isEmpty && rule.byMinute.isEmpty && rule.bySecond.isEmpty
                validUnits =
                    allUnitsValid
                    ? []
                    : Plan.combine(
                        rule.byHour.isEmpty ? anyHour : rule.byHour, rule.byMinute.isEmpty ? anyMinute : rule.byMinute,
                        rule.bySecond.isEmpty ? anyMinute : rule.bySecond)
            default:
                unitSeconds = 86_400
                allUnitsValid = true
                validUnits = []
            }
            let unitsPerDay = 86_400 / unitSeconds
            self.unitsPerDay = unitsPerDay
            let dtstartCounter = Int(dtstart.secondsSinceEpoch).floorDivided(by: unitSeconds)
            self.dtstartCounter = dtstartCounter

            // Units reachable from DTSTART's are ≡ it modulo gcd(units per day,
            // INTERVAL); with none valid there, dateutil raises "empty rule".
            let reachable = Plan.greatestCommonDivisor(unitsPerDay, interval)
            if !allUnitsValid, !validUnits.contains(where: { ($0 - dtstartCounter).floorModulo(reachable) == 0 }) {
                return nil
            }
            if interval < unitsPerDay, !allUnitsValid {
                var starts = Array(repeating: 0, count: interval + 1)
                for unit in validUnits {
                    starts[unit % interval + 1] += 1
                }
                for residue in 0..<interval {
                    starts[residue + 1] += starts[residue]
                }
                var filled = starts
                var sorted = Array(repeating: 0, count: validUnits.count)
                for unit in validUnits {  // ascending, so each residue's run stays sorted
                    sorted[filled[unit % interval]] = unit
                    filled[unit % interval] += 1
                }
                residueUnits = sorted
                residueStarts = starts
            } else {
                residueUnits = []
                residueStarts = []
            }

            // 400 Gregorian years are 4800 months, 146 097 days, 20 871 weeks.
            let cycleUnits = 146_097 * unitsPerDay
            let (cycle, overflow) = (cycleUnits / Plan.greatestCommonDivisor(cycleUnits, interval))
                .multipliedReportingOverflow(by: interval)
            counterCycle = overflow ? Int.max : cycle
            switch frequency {
            case .yearly: emptyPeriodLimit = 400 / Plan.greatestCommonDivisor(400, interval)
            case .monthly: emptyPeriodLimit = 4800 / Plan.greatestCommonDivisor(4800, interval)
            case .weekly: emptyPeriodLimit = 20_871 / Plan.greatestCommonDivisor(20_871, interval)
            default: emptyPeriodLimit = Int.max
            }
        }

        /// The first valid unit of a day at or after `unit` that the stepping
        /// from DTSTART reaches, given that `unit` itself is reached.
        func firstValidOffset(from unit: Int) -> Int? {
            if interval >= unitsPerDay {
                return isValid(unit: unit) ? unit : nil
            }
            if allUnitsValid {
                return unit
            }
            let residue = unit % interval
            let run = residueUnits[residueStarts[residue]..<residueStarts[residue + 1]]
            let index = run.partitioningIndex { $0 >= unit }
            return index < run.endIndex ? run[index] : nil
        }

        func isValid(unit: Int) -> Bool {
            switch frequency {
            case .hourly:
                return hours?[unit] ?? true
            case .minutely:
                return (hours?[unit / 60] ?? true) && (minutes?[unit % 60] ?? true)
            case .secondly:
                return (hours?[unit / 3600] ?? true) && (minutes?[unit / 60 % 60] ?? true)
                    && (seconds?[unit % 60] ?? true)
            default:
                return true
            }
        }

        /// Every `hour · 3600 + minute · 60 + second`, ascending; `[0]` as
        /// hours gives minute-and-second (or hour-and-minute) offsets.
        static func combine(_ hours: [Int], _ minutes: [Int], _ seconds: [Int]) -> [Int] {
            var result: [Int] = []
            result.reserveCapacity(hours.count * minutes.count * seconds.count)
            for hour in hours.sorted() {
                for minute in minutes.sorted() {
                    for second in seconds.sorted() {
                        result.append(hour * 3600 + minute * 60 + second)
                    }
                }
            }
            return result
        }

        static func table(_ values: [Int], size: Int) -> [Bool]? {
            guard !values.isEmpty else { return nil }
            var table = Array(repeating: false, count: size)
            for value in values where value >= 0 && value < size {
                table[value] = true
            }
            return table
        }

        /// Monday = 0 (1970-01-01 was a Thursday).
        static func weekday(ofDay day: Int) -> Int {
            (day + 3).floorModulo(7)
        }

        static func firstDay(ofYear year: Int) -> Int {
            CivilDate(year: year, month: 1, day: 1).daysSinceEpoch
        }

        static func ceilingDivide(_ numerator: Int, _ denominator: Int) -> Int {
            -(-numerator).floorDivided(by: denominator)
        }

        static func greatestCommonDivisor(_ a: Int, _ b: Int) -> Int {
            var (a, b) = (abs(a), abs(b))
            while b != 0 {
                (a, b) = (b, a % b)
            }
            return a
        }
    }

    /// Which days of one year pass the rule's day filters: dateutil's
    /// `_iterinfo.rebuild` masks combined with the filter of `_iter`.
    ///
    /// Indices count days from January 1; like dateutil's masks, this runs 7
    /// days into the next year for weeks that straddle New Year.
    final class YearMask: Sendable {
        let length: Int
        /// Index of each month's first day, plus `length` at the end.
        let monthStarts: [Int]
        /// By index, `length + 7` entries.
        let allowed: [Bool]
        /// The allowed indices below `length`, ascending.
        let allowedDays: [Int]
        /// For each index 0…length, the position in `allowedDays` of the first
        /// allowed index at or after it (`allowedDays.count` when none).
        let nextAllowed: [Int]
        let anyAllowed: Bool

        /// A mask depends only on the year's first weekday and on whether it,
        /// the year before and the year after are leap years.
        static let keyCount = 7 * 8

        static func key(year: Int) -> Int {
            let weekday = Plan.weekday(ofDay: Plan.firstDay(ofYear: year))
            let before = CivilDate.isLeapYear(year - 1) ? 4 : 0
            let this = CivilDate.isLeapYear(year) ? 2 : 0
            let after = CivilDate.isLeapYear(year + 1) ? 1 : 0
            return weekday * 8 + before + this + after
        }

        init(plan: Plan, year: Int) {
            let length = CivilDate.daysInYear(year)
            let nextLength = CivilDate.daysInYear(year + 1)
            let firstWeekday = Plan.weekday(ofDay: Plan.firstDay(ofYear: year))
            self.length = length
            var monthStarts = [0]
            for month in 1...12 {
                monthStarts.append(monthStarts[month - 1] + CivilDate.daysInMonth(year: year, month: month))
            }
            self.monthStarts = monthStarts
            func weekday(_ index: Int) -> Int { (firstWeekday + index).floorModulo(7) }

            let weekNumberMask = plan.weekNumbers.map {
                YearMask.weekNumberMask(
                    $0, weekStart: plan.weekStart, year: year, length: length, firstWeekday: firstWeekday)
            }
            // Nth weekdays, counted within each BYMONTH month (or the year) for
            // YEARLY and within the month for MONTHLY.
            var nthMask: [Bool]?
            if !plan.nthWeekdays.isEmpty, plan.frequency == .yearly || plan.frequency == .monthly {
                var ranges: [(Int, Int)] = []
                if plan.frequency == .yearly, plan.monthList.isEmpty {
                    ranges = [(0, length)]
                } else {
                    let months = plan.frequency == .yearly ? plan.monthList : Array(1...12)
                    ranges = months.map { (monthStarts[$0 - 1], monthStarts[$0]) }
                }
                var mask = Array(repeating: false, count: length)
                for (first, end) in ranges {
                    let last = end - 1
                    for nth in plan.nthWeekdays {
                        var index: Int
                        if nth.ordinal < 0 {
                            index = last + (nth.ordinal + 1) * 7
                            index -= (weekday(index) - nth.weekday).floorModulo(7)
                        } else {
                            index = first + (nth.ordinal - 1) * 7
                            index += (7 - weekday(index) + nth.weekday).floorModulo(7)
                        }
                        if first <= index, index <= last {
                            mask[index] = true
                        }
                    }
                }
                nthMask = mask
            }

            var allowed = Array(repeating: false, count: length + 7)
            var allowedDays: [Int] = []
            var month = 1
            for index in 0..<(length + 7) {
                let monthDay: Int
                let negativeMonthDay: Int
                if index < length {
                    while index >= monthStarts[month] {
                        month += 1
                    }
                    monthDay = index - monthStarts[month - 1] + 1
                    negativeMonthDay = monthStarts[month] - index
                } else {  // the first days of next January
                    month = 1
                    monthDay = index - length + 1
                    negativeMonthDay = 32 - monthDay
                }
                var pass = plan.months?[month] ?? true
                pass = pass && (weekNumberMask?[index] ?? true)
                pass = pass && (plan.weekdays?[weekday(index)] ?? true)
                if let nthMask {
                    pass = pass && index < length && nthMask[index]
                }
                if let monthDays = plan.monthDays, let negativeMonthDays = plan.negativeMonthDays {
                    pass = pass && (monthDays[monthDay] || negativeMonthDays[negativeMonthDay])
                }
                if let yearDays = plan.yearDays {
                    // Values are stored + 366; both forms are within ±366 here.
                    if index < length {
                        pass = pass && (yearDays[index + 1 + 366] || yearDays[index - length + 366])
                    } else {
                        pass =
                            pass
                            && (yearDays[index + 1 - length + 366] || yearDays[index - length - nextLength + 366])
                    }
                }
                allowed[index] = pass
                if pass, index < length {
                    allowedDays.append(index)
                }
            }
            self.allowed = allowed
            self.allowedDays = allowedDays
            anyAllowed = allowed.contains(true)
            var nextAllowed = Array(repeating: allowedDays.count, count: length + 1)
            var position = allowedDays.count
            for index in stride(from: length - 1, through: 0, by: -1) {
                if allowed[index] {
                    position -= 1
                }
                nextAllowed[index] = position
            }
            self.nextAllowed = nextAllowed
        }

        /// dateutil's `wnomask`, quirks included: weeks start on WKST, week 1
        /// is the first with at least 4 days in the year, and the days before
        /// it belong to the previous year's last week only when that week
        /// number (computed as dateutil does) or -1 is asked for.
        static func weekNumberMask(
            _ weekNumbers: [Int], weekStart: Int, year: Int, length: Int, firstWeekday: Int
        ) -> [Bool] {
            var mask = Array(repeating: false, count: length + 7)
            func markWeek(from start: Int) {
                var index = start
                for _ in 0..<7 {
                    if index >= 0, index < mask.count {
                        mask[index] = true
                    }
                    index += 1
                    if (firstWeekday + index).floorModulo(7) == weekStart {
                        break
                    }
                }
            }
            let firstWeekStart = (7 - firstWeekday + weekStart).floorModulo(7)
            var weekOneStart = firstWeekStart
            let weekYearLength: Int
            if weekOneStart >= 4 {
                weekOneStart = 0
                weekYearLength = length + (firstWeekday - weekStart).floorModulo(7)
            } else {
                weekYearLength = length - weekOneStart
            }
            let weekCount = weekYearLength / 7 + (weekYearLength % 7) / 4
            for number in weekNumbers {
                let week = number < 0 ? number + weekCount + 1 : number
                guard week > 0, week <= weekCount else { continue }
                var index = weekOneStart
                if week > 1 {
                    index = weekOneStart + (week - 1) * 7
                    if weekOneStart != firstWeekStart {
                        index -= 7 - firstWeekStart
                    }
                }
                markWeek(from: index)
            }
            if weekNumbers.contains(1) {
                // Week 1 of next year, when it starts in this one.
                var index = weekOneStart + weekCount * 7
                if weekOneStart != firstWeekStart {
                    index -= 7 - firstWeekStart
                }
                if index < length {
                    markWeek(from: index)
                }
            }
            if weekOneStart != 0 {
                // The days before week 1 belong to last year's last week.
                let lastWeek: Int
                if !weekNumbers.contains(-1) {
                    let previousLength = CivilDate.daysInYear(year - 1)
                    let previousFirstWeekday = (firstWeekday - previousLength).floorModulo(7)
                    if (7 - previousFirstWeekday + weekStart).floorModulo(7) >= 4 {
                        lastWeek = 52 + (previousLength + (previousFirstWeekday - weekStart).floorModulo(7)) % 7 / 4
                    } else {
                        // dateutil uses this year's length here, not last year's.
                        lastWeek = 52 + (length - weekOneStart) % 7 / 4
                    }
                } else {
                    lastWeek = -1
                }
                if weekNumbers.contains(lastWeek) {
                    for index in 0..<weekOneStart {
                        mask[index] = true
                    }
                }
            }
            return mask
        }
    }
}
