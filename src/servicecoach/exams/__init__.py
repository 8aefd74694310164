"""Assessment: question bank, papers and blueprints, exams, practical exams, composite grades.

The algorithms are the pure-Python engine (``servicecoach.exams.engine``, docs/exams-engine.md); the Django
app around it (models, services, selectors, views, API) is described for trainers in docs/exams-web.md.
"""
