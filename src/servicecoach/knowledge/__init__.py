"""Knowledge base (知识库): FAQs, script templates, cases, risk cases and service standards.

Only the search engine (``knowledge.engine``, plain Python) exists so far; the Django app with its
models, versions and pages comes on top of it.
"""
