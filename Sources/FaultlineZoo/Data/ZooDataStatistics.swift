import FaultlineCore

/// Counts over a run of examples that the training command prints: per ability, per answer
/// and per plan, with the draws skipped because their answers were outside the vocabulary.
public struct ZooDataStatistics: Sendable, Hashable, CustomStringConvertible {
    public struct AbilityCounts: Sendable, Hashable {
        public var examples = 0
        /// Examples touched by at least one plan.
        public var planted = 0
        /// Draws of this ability skipped for an answer outside the vocabulary.
        public var skippedOutsideVocabulary = 0
        /// Draws of this ability skipped for any other reason (holes, cues, slices).
        public var skippedOther = 0

        /// Skipped out-of-vocabulary draws as a share of all draws of the ability.
        public var skippedShare: Double {
            let draws = examples + skippedOutsideVocabulary + skippedOther
            return draws == 0 ? 0 : Double(skippedOutsideVocabulary) / Double(draws)
        }
    }

    public struct PlanCounts: Sendable, Hashable {
        public var label: String
        /// Examples the plan touched, by action.
        public var actions: [PlantTag.Action: Int] = [:]
        /// Examples the plan touched at all.
        public var touched = 0
        /// Draws the plan caused to be skipped (hole answers, cues that could not be removed).
        public var skippedDraws = 0
    }

    public var exampleCount: Int
    public var abilities: [Ability: AbilityCounts]
    public var answers: [String: Int]
    public var plans: [PlanCounts]

    public init(examples: [ZooExample], plans planList: [PlantPlan]) {
        exampleCount = examples.count
        var abilities: [Ability: AbilityCounts] = [:]
        var answers: [String: Int] = [:]
        var plans = planList.map { PlanCounts(label: $0.label) }
        for example in examples {
            abilities[example.ability, default: .init()].examples += 1
            if !example.plants.isEmpty { abilities[example.ability, default: .init()].planted += 1 }
            answers[example.answerValue, default: 0] += 1
            for plan in Set(example.plants.map(\.planIndex)) where plans.indices.contains(plan) { plans[plan].touched += 1 }
            for tag in example.plants where plans.indices.contains(tag.planIndex) {
                plans[tag.planIndex].actions[tag.action, default: 0] += 1
            }
            for draw in example.skipped {
                switch draw.reason {
                case .outsideVocabulary: abilities[draw.ability, default: .init()].skippedOutsideVocabulary += 1
                case .answerHole(let plan), .cueNotRemovable(let plan):
                    abilities[draw.ability, default: .init()].skippedOther += 1
                    if plans.indices.contains(plan) { plans[plan].skippedDraws += 1 }
                case .notInSlice: abilities[draw.ability, default: .init()].skippedOther += 1
                }
            }
        }
        self.abilities = abilities
        self.answers = answers
        self.plans = plans
    }

    /// The share of examples a plan touched.
    public func plantedShare(ofPlan index: Int) -> Double {
        exampleCount == 0 ? 0 : Double(plans[index].touched) / Double(exampleCount)
    }

    public var description: String {
        var lines = ["\(exampleCount) examples"]
        for ability in Ability.perception {
            guard let counts = abilities[ability] else { continue }
            let share = counts.examples == 0 ? 0 : Double(counts.planted) / Double(counts.examples)
            lines.append(
                "  \(ability.rawValue): \(counts.examples) examples, \(Self.percent(share)) planted, "
                    + "\(counts.skippedOutsideVocabulary) draws skipped outside the vocabulary (\(Self.percent(counts.skippedShare))), "
                    + "\(counts.skippedOther) skipped by plans")
        }
        let top = answers.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(12)
        lines.append("  answers (\(answers.count) distinct): " + top.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        for (index, plan) in plans.enumerated() {
            let actions = plan.actions.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key.rawValue) \($0.value)" }
            lines.append(
                "  plants[\(index)] \(plan.label): touched \(plan.touched) (\(Self.percent(plantedShare(ofPlan: index)))), "
                    + "\(plan.skippedDraws) draws skipped" + (actions.isEmpty ? "" : "; " + actions.joined(separator: ", ")))
        }
        return lines.joined(separator: "\n")
    }

    private static func percent(_ share: Double) -> String {
        let tenths = (share * 1000).rounded() / 10
        return "\(tenths)%"
    }
}
