import FaultlineAudits
import FaultlineCore
import FaultlineScenes
import FaultlineZoo
import Foundation

/// The re-audit that proves a repair: the original and the repaired model on probes from a
/// seed neither the audits nor the repair data used — the confirmed cues' counterfactual
/// groups, the interference perturbations, and the six abilities.
struct HeldOutReaudit {
    let stored: StoredRun
    let seed: UInt64
    let abilityProbes: Int
    var pairsPerCue = 60
    var interferenceProbes = 200

    struct Result {
        var runs: [String] = []
        var findings: [RepairComparison] = []
        var interference: [RepairComparison] = []
        var abilities: [RepairComparison] = []
    }

    func compare(_ before: ZooModel, _ after: ZooModel, cues: [(cue: CueIdentity, answer: String)]) async throws -> Result {
        let models: [any VisionLanguageModel] = [before, after]
        var result = Result()

        if !cues.isEmpty {
            let templateAnswers = RepairDataBuilder.templateAnswers(seed: seed, count: 1200, abilities: Ability.perception)
            let requests = cues.map {
                SpuriousGroupSource.Request(cue: $0.cue, answer: $0.answer, abilities: Ability.perception, templateAnswers: templateAnswers)
            }
            let source = SpuriousGroupSource(requests: requests, pairsPerRequest: pairsPerCue, seed: seed)
            let identity = requests.map { "\($0.cue.attribute)=\($0.cue.value)→\($0.answer)" }.joined(separator: ";")
            let manifest = try await stored.execute(
                source: source, kind: "heldout-groups", summary: "held-out spurious groups seed=\(seed)",
                identity: "heldout-groups|\(pairsPerCue)|\(seed)|\(identity)", seed: seed, models: models)
            result.runs.append(manifest.runID)
            let groups = SpuriousGroupAnalysis().results(try stored.answers(runID: manifest.runID), requests: requests, minedFrom: [:])
            for request in requests {
                guard let old = groups.first(where: { $0.model == before.key && $0.cue == request.cue && $0.answer == request.answer }),
                    let new = groups.first(where: { $0.model == after.key && $0.cue == request.cue && $0.answer == request.answer })
                else { continue }
                result.findings.append(
                    RepairComparison(
                        name: "\(request.cue) → \(request.answer)", kind: "spurious-cue",
                        metric: "accuracy without the cue − with it", before: (old.gap, old.gapLow, old.gapHigh),
                        after: (new.gap, new.gapLow, new.gapHigh), count: min(old.pairs, new.pairs), higherIsBetter: false))
            }
        }

        let interference = InterferenceProbeSource(
            imageHeavyCount: interferenceProbes, textHeavyCount: 0, seed: seed,
            perturbations: InterferencePerturbation.perturbations(for: .imageHeavy))
        let interferenceRun = try await stored.execute(
            source: interference, kind: "heldout-interference", summary: "held-out interference seed=\(seed)",
            identity: "heldout-interference|\(interferenceProbes)|\(seed)", seed: seed, models: models)
        result.runs.append(interferenceRun.runID)
        let cells = InterferenceAnalysis.cells(try stored.answers(runID: interferenceRun.runID), models: [before.key, after.key])
        for perturbation in InterferencePerturbation.perturbations(for: .imageHeavy) {
            guard let old = cells.first(where: { $0.model == before.key && $0.perturbation == perturbation.rawValue }),
                let new = cells.first(where: { $0.model == after.key && $0.perturbation == perturbation.rawValue })
            else { continue }
            result.interference.append(
                RepairComparison(
                    name: perturbation.title, kind: "interference", metric: "answers changed (δ_cp)",
                    before: (old.metrics.flipRate.rate, old.metrics.flipRate.low, old.metrics.flipRate.high),
                    after: (new.metrics.flipRate.rate, new.metrics.flipRate.low, new.metrics.flipRate.high),
                    count: old.metrics.flipRate.total, higherIsBetter: false))
        }

        let formats = AbilitySuiteConfiguration.allFormats.filter { $0 != .box }
        let abilities = AbilitySuite(
            count: abilityProbes * Ability.perception.count, seed: seed,
            configuration: AbilitySuiteConfiguration(formats: formats, counterfactualShare: 0))
        let abilityRun = try await stored.execute(
            source: abilities, kind: "heldout-abilities", summary: "held-out abilities seed=\(seed)",
            identity: "heldout-abilities|\(abilityProbes)|\(seed)", seed: seed, models: models)
        result.runs.append(abilityRun.runID)
        var tallies: [String: [Ability: (correct: Int, total: Int)]] = [:]
        for answer in try stored.answers(runID: abilityRun.runID) where answer.outcome != .error {
            var tally = tallies[answer.modelKey, default: [:]][answer.probe.ability] ?? (0, 0)
            tally.total += 1
            if answer.outcome == .correct { tally.correct += 1 }
            tallies[answer.modelKey, default: [:]][answer.probe.ability] = tally
        }
        for ability in Ability.perception {
            guard let old = tallies[before.key]?[ability], let new = tallies[after.key]?[ability] else { continue }
            let a = Statistics.wilson(successes: old.correct, total: old.total)
            let b = Statistics.wilson(successes: new.correct, total: new.total)
            result.abilities.append(
                RepairComparison(
                    name: ability.rawValue, kind: "ability", metric: "accuracy", before: (a.rate, a.low, a.high),
                    after: (b.rate, b.low, b.high), count: old.total, higherIsBetter: true))
        }
        return result
    }
}
