import ArgumentParser

@main
struct Faultline: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "faultline", abstract: "Audit vision-language models.")
}
