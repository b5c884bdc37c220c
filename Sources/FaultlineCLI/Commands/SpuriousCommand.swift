import ArgumentParser
import FaultlineAudits
import FaultlineCore
import FaultlineReport
import Foundation

struct SpuriousCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spurious",
        abstract: "Find the spurious cues a model follows, and confirm them with counterfactual groups (SpuriVerse).",
        discussion: """
            Two runs. Mining: scene-engine questions whose backgrounds, tints, object colours, sizes, textures and signs are drawn at random, half of them with a harmless phrase before the question ("honestly, …"); for every answer a model gives wrongly, each of these cues is tested for pulling towards it (exact permutation test within question templates, Benjamini–Hochberg over all pairs). Confirmation: for each candidate, pairs of new probes that differ only in the cue (present / removed, the right answer unchanged and never the cue's answer); a cue is confirmed when the accuracy gap is significant and at least 10 points.

            Every model answers every group, so a cue mined from one model is also measured on the others. The result is written as spurious.json and report.html; `faultline rectify --from RUN` repairs a zoo model from it.

            Example:
              faultline spurious --model zoo:target --model zoo:reference-a
            """)

    @Option(name: .customLong("model"), help: ArgumentHelp("A backend to audit; repeat for several.", valueName: "key"))
    var models: [String] = []

    @Option(help: "Probes in the mining run (each of the 16 lead-in phrases goes before 1 in 32 of them).")
    var count = 3000

    @Option(help: "The seed; the groups use seed + 1, so they are never the mined probes.")
    var seed: UInt64 = 7

    // 120 rather than 60: with up to 20 candidates a model's intervals are Bonferroni-corrected,
    // and at 60 pairs a planted cue with a 17-point gap (the retrained target's grass → star)
    // stayed inside the corrected interval's reach of zero.
    @Option(help: "Counterfactual pairs per candidate.")
    var pairs = 120

    // Cost must not drop a real cue. At 6 the target's planted phrase → yes ranked out behind
    // weaker cues; at 10 (ordered by lift) its grass → star did, behind associations its
    // count hole makes (colour → "5") that confirmation rejects. The target has 16 candidates;
    // confirming 20 instead of 10 took the same 50 s.
    @Option(help: "The most candidates per model sent to confirmation (largest lift first).")
    var maxCandidates = 20

    @Option(help: ArgumentHelp("A text file of extra lead-in phrases to test, one per line.", valueName: "file"))
    var leadIns: String?

    @Option(help: ArgumentHelp("Directory for the report (default: $FAULTLINE_HOME/reports/GROUP-RUN-ID).", valueName: "dir"))
    var reportDirectory: String?

    @OptionGroup var store: StoreOptions

    func validate() throws {
        if models.isEmpty { throw ValidationError("Name at least one model with --model (e.g. --model zoo:target).") }
        if count < 100 { throw ValidationError("--count must be at least 100 for the association tests to mean anything, got \(count).") }
        if pairs < 1 { throw ValidationError("--pairs must be at least 1, got \(pairs).") }
        if maxCandidates < 1 { throw ValidationError("--max-candidates must be at least 1, got \(maxCandidates).") }
    }

    func run() async throws {
        let phrases = try LeadInPhrases.standard + extraLeadIns()
        let stored = try StoredRun(store: store)
        let (loaded, failures) = StoredRun.loadModels(models, logger: stored.logger)
        guard !loaded.isEmpty else {
            throw RunFailure("no model could be loaded:\n  " + failures.joined(separator: "\n  "))
        }
        let audit = try await SpuriousAuditRun(
            stored: stored, models: loaded, count: count, seed: seed, pairs: pairs, maxCandidates: maxCandidates,
            leadIns: phrases
        ).execute()
        try AuditFiles.save(audit, name: "spurious", runID: audit.runID, store: store)
        print(SpuriousSummary.render(audit))
        let directory = reportDirectory.map { URL(fileURLWithPath: $0, isDirectory: true) }
            ?? FaultlineHome.reports.appendingPathComponent(audit.runID, isDirectory: true)
        let database = stored.database
        let wanted = Set(audit.groups.flatMap { $0.examplePairs.prefix(2).joined() })
        let evidence = AuditEvidence(
            audit.groupRunID.isEmpty ? [] : try stored.answers(runID: audit.groupRunID), wanted: wanted,
            images: { try? database.images.data(for: $0.sha256) })
        let html = AuditPages.spurious(audit, evidence: evidence)
        try AuditFiles.write(html: html, json: try AuditFiles.encode(audit), name: "spurious", to: directory)
        print("Report: \(directory.appendingPathComponent("report.html").path)")
    }

    private func extraLeadIns() throws -> [String] {
        guard let leadIns else { return [] }
        let url = URL(fileURLWithPath: leadIns)
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw ValidationError("cannot read --lead-ins \(leadIns): \(error.localizedDescription)")
        }
        var phrases: [String] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let phrase = line.trimmingCharacters(in: .whitespaces)
            if phrase.isEmpty || phrase.hasPrefix("#") { continue }
            guard phrase.count <= 60, !phrase.contains(where: \.isNewline) else {
                throw ValidationError("\(leadIns):\(number + 1): a lead-in phrase is at most 60 characters; got \(phrase.count)")
            }
            phrases.append(phrase)
        }
        return phrases
    }
}

/// The two runs of a spurious-correlation audit and their analysis.
struct SpuriousAuditRun {
    let stored: StoredRun
    let models: [any VisionLanguageModel]
    let count: Int
    let seed: UInt64
    let pairs: Int
    let maxCandidates: Int
    let leadIns: [String]

    func execute() async throws -> SpuriousAudit {
        let mining = SpuriousMiningSource(count: count, seed: seed, leadIns: leadIns)
        let miningManifest = try await stored.execute(
            source: mining, kind: "spurious-mining", summary: "spurious-mining count=\(count) seed=\(seed)",
            identity: "spurious-mining|\(count)|\(seed)|\(leadIns.joined(separator: ";"))", seed: seed, models: models)
        let answers = try stored.answers(runID: miningManifest.runID)
        let observations = SpuriousCueMiner.observations(answers)
        let miner = SpuriousCueMiner()
        var candidates: [SpuriousCandidate] = []
        var tested: [String: Int] = [:]
        for model in models.map(\.key) {
            let all = miner.test(observations[model] ?? [], model: model)
            tested[model] = all.count
            candidates += miner.candidates(from: all).prefix(maxCandidates)
        }

        // One request per distinct cue → answer, whichever model it came from.
        let templateAnswers = SpuriousCueMiner.templateAnswers(answers)
        var requests: [SpuriousGroupSource.Request] = []
        var minedFrom: [Int: String] = [:]
        for candidate in candidates {
            let pulled = Set(candidate.exampleProbeIDs)
            let abilities = Set(answers.filter { pulled.contains($0.probe.id) }.map(\.probe.ability))
            if let index = requests.firstIndex(where: { $0.cue == candidate.cue && $0.answer == candidate.answer }) {
                minedFrom[index, default: ""] += ", " + candidate.model
                requests[index].abilities = Array(Set(requests[index].abilities).union(abilities)).sorted { $0.rawValue < $1.rawValue }
                continue
            }
            minedFrom[requests.count] = candidate.model
            requests.append(
                .init(
                    cue: candidate.cue, answer: candidate.answer,
                    abilities: abilities.sorted { $0.rawValue < $1.rawValue }, templateAnswers: templateAnswers))
        }

        var groups: [SpuriousGroupResult] = []
        var groupRunID = ""
        if !requests.isEmpty {
            let groupSeed = seed &+ 1
            let source = SpuriousGroupSource(requests: requests, pairsPerRequest: pairs, seed: groupSeed)
            let identity = requests.map { "\($0.cue.attribute)=\($0.cue.value)→\($0.answer)@\($0.abilities.map(\.rawValue))" }
                .joined(separator: ";")
            let manifest = try await stored.execute(
                source: source, kind: "spurious-groups", summary: "spurious-groups candidates=\(requests.count) seed=\(groupSeed)",
                identity: "spurious-groups|\(pairs)|\(groupSeed)|\(identity)", seed: groupSeed, models: models)
            groupRunID = manifest.runID
            groups = SpuriousGroupAnalysis().results(
                try stored.answers(runID: groupRunID), requests: requests, minedFrom: minedFrom)
        }
        let analysis = SpuriousGroupAnalysis()
        return SpuriousAudit(
            generator: "faultline \(FaultlineVersion.current)", seed: seed, miningRunID: miningManifest.runID,
            groupRunID: groupRunID, models: models.map(\.key), testedPairs: tested, candidates: candidates, groups: groups,
            settings: [
                "minimumLift": miner.settings.minimumLift, "maximumQ": miner.settings.maximumQ,
                "minimumGap": analysis.minimumGap, "minimumPairs": Double(analysis.minimumPairs),
                "pairsPerCandidate": Double(pairs), "miningProbes": Double(count),
            ])
    }
}
