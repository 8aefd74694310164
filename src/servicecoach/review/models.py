"""Models of the quality review app: sampling plans, reviews, appeals, calibration."""
