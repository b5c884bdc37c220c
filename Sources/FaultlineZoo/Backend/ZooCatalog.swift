import Foundation

/// The shipped zoo: the configurations in `Configurations/` and the weights trained from
/// them in `Weights/`, by name (`reference-a`, `reference-b`, `target`).
public enum ZooCatalog {
    /// The shipped model names, in the order reports list them.
    public static let names = ["reference-a", "reference-b", "target"]

    /// The shipped configuration file of `name`, if there is one.
    public static func configurationURL(named name: String) -> URL? {
        Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Configurations")
    }

    /// The shipped weights of `name`, if there are.
    public static func weightsURL(named name: String) -> URL? {
        Bundle.module.url(forResource: name, withExtension: "safetensors", subdirectory: "Weights")
    }

    /// A configuration given as a shipped name (`target`, `zoo:target`) or a file path.
    public static func configuration(_ nameOrPath: String) throws(ZooConfigurationError) -> (configuration: ZooConfiguration, url: URL) {
        let name = nameOrPath.hasPrefix("zoo:") ? String(nameOrPath.dropFirst(4)) : nameOrPath
        let url = configurationURL(named: name) ?? URL(fileURLWithPath: nameOrPath)
        return (try ZooConfiguration.load(path: url.path), url)
    }
}
