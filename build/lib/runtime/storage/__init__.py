"""The run database and the files a run hands out.

``store`` (every query and transition of a run's SQLite database), ``schema`` (its
tables), ``status`` (the sample statuses, one enum), ``export`` (``data.jsonl`` and
``seeds.annotated.jsonl``, written whole), ``funnel`` and ``accounting`` (the reports a run
prints), ``seeds`` (reading a seed file, one clear error per bad line).

May import: gra_agents (the committee's defaults), runtime.config, runtime.files. Never imports calls, engines or
pipeline.
"""
