"""The paper's analyses of a finished run: coverage against the seeds, agreement with another judge, and IFD.

One concept per module; ``runtime.report`` shows each as a section of ``report.html``.

May import: runtime.pipeline and everything below it. Imported by runtime.report only.
"""
