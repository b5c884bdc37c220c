import FaultlineCore

extension PromptTemplate {
    /// Names what a group of failures has in common, from its examples.
    public static let nameFailureGroup = PromptTemplate(
        task: "name-failure-group",
        system: """
            You audit vision-language models. You are shown probes a model got wrong. Name, in at most \
            eight words, what the failures have in common, then explain it in one sentence. Do not guess \
            beyond the examples.
            """,
        user: """
            Model: {{model}}
            Failing probes (question, expected answer, model's answer, controlled factors):
            {{examples}}

            Answer as:
            Name: <at most eight words>
            Because: <one sentence>
            """)
}
