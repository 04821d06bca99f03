/// What a route answers. Every response gets a `Content-Length` from
/// libmicrohttpd; HEAD gets the same headers without the body.
public struct HTTPResponse: Sendable, Equatable {
    public var status: Int
    public var contentType: String
    public var body: [UInt8]
    /// One more header, e.g. `Cache-Control`.
    public var header: (name: String, value: String)?

    public init(status: Int = 200, contentType: String, body: [UInt8], header: (name: String, value: String)? = nil) {
        self.status = status
        self.contentType = contentType
        self.body = body
        self.header = header
    }

    /// A UTF-8 text response.
    public static func text(_ text: String, status: Int = 200, contentType: String = "text/plain; charset=utf-8") -> HTTPResponse {
        HTTPResponse(status: status, contentType: contentType, body: Array(text.utf8))
    }

    public static func == (lhs: HTTPResponse, rhs: HTTPResponse) -> Bool {
        lhs.status == rhs.status && lhs.contentType == rhs.contentType && lhs.body == rhs.body
            && lhs.header?.name == rhs.header?.name && lhs.header?.value == rhs.header?.value
    }
}

/// A request as routes see it: GET or HEAD (others never reach a route), and the path without the query.
public struct HTTPRequest: Sendable, Equatable {
    public var method: String
    public var path: String
}
