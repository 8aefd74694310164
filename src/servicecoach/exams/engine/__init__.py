"""The assessment engines: pure Python, no Django import (a test enforces this).

questions   plain dataclasses for every question type, content fingerprints
marking     automatic marking with explanations (partial-credit policies, key points, rubrics)
blueprint   papers drawn from a blueprint, seeded per candidate; option shuffling
practical   scenario cards, seeded draws, rubrics, panel scoring with disagreement flags
composite   overall conduct, composite score, grade bands with exact Decimal boundaries
advice      improvement advice per candidate and the cohort's common weak points
statistics  Moodle's quiz statistics (facility, discrimination, Cronbach's alpha, ...)
importers   Excel template, Moodle GIFT and Aiken import/export with per-line errors
"""
