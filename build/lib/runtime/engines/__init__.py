"""The processes that serve models, and their weights.

``supervisor`` starts a pool's engines, watches them and restarts one that dies;
``process`` is the life of one server process; ``llama_cpp`` and ``sglang`` build their
command lines; ``replicas`` spreads a member's calls over an engine's servers;
``placement`` keeps the coordinator off the busiest engine's cores; ``embedding`` and
``embedding_worker`` run MiniLM in a child process; ``weights`` locates and assembles the
model files from their packages, ``gguf_reencode`` re-encodes slow-on-CPU tensors;
``proc_stats`` and ``parent_death`` are the process helpers they share.

May import: runtime.config, runtime.files. Never imports calls, storage or pipeline.
"""
