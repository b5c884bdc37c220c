import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// A test double, not an OpenAI server: an HTTP server on 127.0.0.1 (port chosen by the OS)
/// that answers each request with the next scripted fault or reply and records what it got.
///
/// The fault-injection tests script it request by request; `faultline bench --http` gives it
/// a fallback reply so that it answers any number of requests at once, as fast as it can.
public final class ScriptedOpenAIServer: @unchecked Sendable {
    /// What the server does with one request.
    public enum Action: Sendable {
        /// A status, headers and body, with a correct Content-Length.
        case reply(status: Int, headers: [(String, String)], body: String)
        /// Announces `announced` bytes, sends `body`, then closes the connection.
        case cutOff(announced: Int, body: String)
        /// Never answers; only the client's timeout ends the exchange.
        case hang
        /// Waits, then does `then`; meanwhile the request counts as in flight.
        indirect case delayed(seconds: Double, then: Action)
    }

    /// One received request.
    public struct Received: Sendable {
        public var method: String
        public var path: String
        public var authorization: String?
        public var body: String
    }

    private let lock = NSLock()
    private var script: [Action]
    /// What to do once the script is used up; nil answers with status 599.
    private let fallback: Action?
    /// Whether to keep every request (tests read them; a benchmark would only grow memory).
    private let keepsRequests: Bool
    private var log: [Received] = []
    private var count = 0
    private var inFlight = 0
    private var peakInFlight = 0
    private var channel: (any Channel)?
    public private(set) var port = 0

    /// - Parameters:
    ///   - script: the actions for the first requests, in order.
    ///   - fallback: the action for every request after the script (nil: status 599).
    ///   - keepsRequests: whether `received` records each request.
    public init(_ script: [Action], fallback: Action? = nil, keepsRequests: Bool = true) {
        self.script = script
        self.fallback = fallback
        self.keepsRequests = keepsRequests
    }

    /// The requests received so far (empty unless `keepsRequests`).
    public var received: [Received] { lock.withLock { log } }
    public var requestCount: Int { lock.withLock { count } }
    /// The most requests that were waiting for their answer at once.
    public var maxConcurrentRequests: Int { lock.withLock { peakInFlight } }

    /// The base URL to put in a spec, e.g. `http://127.0.0.1:PORT/v1`.
    public var baseURL: String { "http://127.0.0.1:\(port)/v1" }

    public func enqueue(_ actions: [Action]) { lock.withLock { script.append(contentsOf: actions) } }

    /// Listens on 127.0.0.1 at `port` (0: a port the OS chooses, then in `port`).
    public func start(port requestedPort: Int = 0) async throws {
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(Handler(server: self))
                }
            }
        let channel = try await bootstrap.bind(host: "127.0.0.1", port: requestedPort).get()
        lock.withLock {
            self.channel = channel
            self.port = channel.localAddress?.port ?? 0
        }
    }

    public func stop() async throws {
        try await lock.withLock { channel }?.close()
    }

    fileprivate func next(for request: Received) -> Action {
        lock.withLock {
            if keepsRequests { log.append(request) }
            count += 1
            inFlight += 1
            peakInFlight = max(peakInFlight, inFlight)
            if !script.isEmpty { return script.removeFirst() }
            return fallback ?? .reply(status: 599, headers: [], body: "{\"error\":\"no scripted response left\"}")
        }
    }

    fileprivate func answered() { lock.withLock { inFlight -= 1 } }

    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        let server: ScriptedOpenAIServer
        var head: HTTPRequestHead?
        var body = ByteBuffer()

        init(server: ScriptedOpenAIServer) { self.server = server }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                self.head = head
                body.clear()
            case .body(var chunk):
                body.writeBuffer(&chunk)
            case .end:
                guard let head else { return }
                let request = Received(
                    method: head.method.rawValue, path: head.uri, authorization: head.headers.first(name: "Authorization"),
                    body: String(buffer: body))
                respond(server.next(for: request), context: context)
            }
        }

        private func respond(_ action: Action, context: ChannelHandlerContext) {
            switch action {
            case .delayed(let seconds, let then):
                let loop = context.eventLoop.assumeIsolated()
                loop.scheduleTask(in: .milliseconds(Int64(seconds * 1000))) {
                    self.respond(then, context: context)
                }
                return
            case .hang:
                return
            default:
                server.answered()
            }
            switch action {
            case .delayed, .hang:
                break
            case .reply(let status, let extra, let text):
                var headers = HTTPHeaders([("Content-Type", "application/json"), ("Content-Length", "\(text.utf8.count)")])
                for (name, value) in extra { headers.add(name: name, value: value) }
                let head = HTTPResponseHead(
                    version: .http1_1, status: HTTPResponseStatus(statusCode: status), headers: headers)
                context.write(wrapOutboundOut(.head(head)), promise: nil)
                context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: text)))), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            case .cutOff(let announced, let text):
                let head = HTTPResponseHead(
                    version: .http1_1, status: .ok,
                    headers: HTTPHeaders([("Content-Type", "application/json"), ("Content-Length", "\(announced)")]))
                context.write(wrapOutboundOut(.head(head)), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: text)))), promise: nil)
                context.close(promise: nil)
            }
        }
    }
}


extension ScriptedOpenAIServer {
    /// A chat completion body in the shape the OpenAI API documents, answering `text`; with
    /// `alternatives`, the first token carries them as `top_logprobs`.
    public static func chatCompletionBody(
        _ text: String, alternatives: [(String, Double)]? = nil, model: String = "test-model"
    ) -> String {
        var logprobs = "null"
        if let alternatives {
            let top = alternatives.map { "{\"token\":\"\($0.0)\",\"logprob\":\($0.1)}" }.joined(separator: ",")
            logprobs =
                "{\"content\":[{\"token\":\"\(text)\",\"logprob\":\(alternatives.first?.1 ?? 0),\"top_logprobs\":[\(top)]}]}"
        }
        return """
            {"id":"chatcmpl-1","object":"chat.completion","model":"\(model)","choices":[{"index":0,\
            "message":{"role":"assistant","content":"\(text)"},"finish_reason":"stop","logprobs":\(logprobs)}],\
            "usage":{"prompt_tokens":12,"completion_tokens":1,"total_tokens":13}}
            """
    }
}
