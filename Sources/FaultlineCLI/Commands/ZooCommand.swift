import ArgumentParser

/// `faultline zoo …`: Faultline's own small vision-language models.
struct ZooCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zoo",
        abstract: "Train and evaluate the zoo: small vision-language models trained on the scene engine, some with planted defects.",
        discussion: """
            The shipped models are zoo:reference-a and zoo:reference-b (clean) and zoo:target (defects planted on purpose; its configuration documents them). Their weights are in the repository; `faultline zoo train --config NAME` reproduces them from their configuration.
            """,
        subcommands: [ZooTrainCommand.self, ZooEvaluateCommand.self])
}
