"""Assessment: question bank, papers and blueprints, exams, practical exams, composite grades.

Only the pure-Python engine lives here for now (``servicecoach.exams.engine``); the Django app
(models, services, views) is added on top of it later.
"""
