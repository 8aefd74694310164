"""ServiceCoach: train, assess, inspect quality and score performance of customer-service teams."""

__version__ = "0.1.0"
