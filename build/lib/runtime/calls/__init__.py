"""One model call: from a DSPy signature to a validated, recorded answer.

``adapter`` (the StructuredAdapter: one attempt loop with the pool's retry policy, sync
and async alike), ``schema`` (signature → JSON schema → engine constraint, and answer
validation), ``member_lm`` (a pool member as a DSPy LM, streamed through the repetition
guard), ``repetition`` (loops in an answer), ``untrusted`` (fences around seed and model
text), ``record`` (the call log and the in-flight response slot).

May import: signatures, runtime.config, runtime.files. Never imports engines, storage or pipeline.
"""
