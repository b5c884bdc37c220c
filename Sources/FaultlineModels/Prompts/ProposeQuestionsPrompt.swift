import FaultlineCore

extension PromptTemplate {
    /// Proposes new questions that test a finding on fresh probes.
    public static let proposeQuestions = PromptTemplate(
        task: "propose-questions",
        system: """
            You design test questions for vision-language models. Each question must have one exact, \
            checkable answer.
            """,
        user: """
            Finding: {{finding}}
            Write {{count}} new questions that would test whether this finding holds, one per line, \
            each as: question | expected answer
            """)
}
