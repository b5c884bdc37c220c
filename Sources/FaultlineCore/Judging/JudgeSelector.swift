/// Chooses the judge for a probe from its answer format.
///
/// Multiple choice → `MultipleChoiceJudge`; yes/no → `YesNoJudge`; number → `NumberJudge`
/// (exact); box → `BoxJudge` (IoU ≥ 0.5); free text → `OCRJudge` when the ability is OCR
/// (reading is judged character by character, with the CER as score), else
/// `FreeTextJudge` (VQA normalisation).
public enum JudgeSelector {
    /// The judge for an expected answer of a probe that exercises `ability`.
    public static func judge(for expected: ExpectedAnswer, ability: Ability) -> any Judge {
        switch expected.format {
        case .multipleChoice: MultipleChoiceJudge()
        case .yesNo: YesNoJudge()
        case .number: NumberJudge()
        case .box: BoxJudge()
        case .freeText: ability == .ocr ? OCRJudge() : FreeTextJudge()
        }
    }

    /// The judge for a probe.
    public static func judge(for probe: Probe) -> any Judge {
        judge(for: probe.expected, ability: probe.ability)
    }
}
