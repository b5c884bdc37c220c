import ArgumentParser
import FaultlineModels
import Foundation

/// Serves the loopback OpenAI test double in its own process, so that `bench --http` can
/// measure a client's CPU time apart from the server's. Hidden: it is a measuring aid.
struct ServeDoubleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve-double",
        abstract: "Serve a loopback OpenAI-compatible test double until standard input closes.",
        discussion: """
            Every chat completion is answered at once with the same short answer (with usage and logprobs), every other path too. Prints `port N` when listening. Not a model: a test double for measuring clients.
            """,
        shouldDisplay: false)

    @Option(help: "The port on 127.0.0.1 (0: one the system chooses).")
    var port = 0

    @Option(help: "The answer every request gets.")
    var answer = "B"

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0...65535, got \(port).") }
    }

    func run() async throws {
        let body = ScriptedOpenAIServer.chatCompletionBody(
            answer, alternatives: [(answer, -0.1), ("A", -2.5)], model: "double")
        let server = ScriptedOpenAIServer(
            [], fallback: .reply(status: 200, headers: [], body: body), keepsRequests: false)
        try await server.start(port: port)
        // Written unbuffered: the parent waits for this line before it starts measuring.
        FileHandle.standardOutput.write(Data("port \(server.port)\n".utf8))
        // Serve until the parent closes our standard input (or goes away).
        await Task.detached { _ = FileHandle.standardInput.readDataToEndOfFile() }.value
        try await server.stop()
    }
}
