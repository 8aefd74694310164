"""Item and test statistics with the definitions of Moodle's quiz statistics report.

Input: one row per attempt (candidate), one column per question position; x[s][i] is the
mark attempt s got on question i (an unanswered question scores 0, as in Moodle), and
``max_marks[i]`` the question's maximum. T_s = sum_i x[s][i] is the attempt's total and
X_s(i) = T_s - x[s][i] the "rest of the test". S is the number of attempts, P of questions.
Variances and covariances divide by S - 1, as Moodle does.

Question statistics (Moodle: question/classes/statistics/questions/calculator.php)

* facility index F_i = mean(x_i) / max_i (shown as %)
* standard deviation SD_i = sqrt(sum (x_i - mean)^2 / (S - 1)) (shown as % of max_i)
* discrimination index D_i = 100 * Cov(x_i, X(i)) / sqrt(V(x_i) V(X(i))): the correlation of the
  question's mark with the rest of the test
* discriminative efficiency E_i = 100 * Cov(x_i, X(i)) / Cov_max(x_i, X(i)), where Cov_max pairs
  the *sorted* x_i with the *sorted* X(i) (the largest covariance those marks could have)
* effective weight W_i = 100 * sqrt(Cov(x_i, T)) / sum_j sqrt(Cov(x_j, T)); undefined (None)
  for a question with negative covariance with the total

Test statistics (Moodle: mod/quiz/report/statistics/classes/calculator.php)

* mean, median (the mean of the two middle totals when S is even), SD = sqrt(m2 * S/(S-1))
* skewness = k3 / k2^(3/2), kurtosis = k4 / k2^2 with m_r = sum (T - mean)^r / S,
  k2 = S m2/(S-1), k3 = S^2 m3/((S-1)(S-2)), k4 = S^2 ((S+1) m4 - 3 (S-1) m2^2)/((S-1)(S-2)(S-3))
* coefficient of internal consistency (Cronbach's alpha)
  CIC = 100 * P/(P-1) * (1 - sum_i V(x_i) / k2)
* error ratio ER = 100 * sqrt(1 - CIC/100); standard error SE = ER/100 * SD

A statistic that is undefined (too few attempts, zero variance) is None, never a made-up 0.

Flags (``FlagThresholds``): a question is flagged for review when its discriminative
efficiency is below 15% (the threshold Moodle's report uses to mark a question as dubious), its
discrimination index is negative or below 20% (the usual rule of thumb that D < 0.2 discriminates
poorly), or its facility is below 5% or above 95% (almost nobody / almost everybody gets it
right, so it cannot discriminate).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


class StatisticsError(ValueError):
    pass


@dataclass(frozen=True, kw_only=True)
class FlagThresholds:
    min_discriminative_efficiency: float = 15.0
    min_discrimination_index: float = 20.0
    min_facility: float = 5.0
    max_facility: float = 95.0


@dataclass(frozen=True, kw_only=True)
class ItemStatistics:
    index: int
    s: int
    max_mark: float
    mean: float
    facility: float | None  # percent
    sd: float | None  # marks
    sd_percent: float | None  # percent of max_mark
    discrimination_index: float | None  # percent, -100..100
    discriminative_efficiency: float | None  # percent
    effective_weight: float | None  # percent
    intended_weight: float  # percent of the total maximum
    flags: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class TestStatistics:
    s: int
    p: int
    max_total: float
    mean: float | None
    median: float | None
    sd: float | None
    skewness: float | None
    kurtosis: float | None
    cic: float | None  # Cronbach's alpha, percent
    error_ratio: float | None  # percent
    standard_error: float | None  # marks

    def percent_of_max(self, value: float | None) -> float | None:
        return None if value is None or not self.max_total else 100 * value / self.max_total


@dataclass(frozen=True, kw_only=True)
class QuizStatistics:
    test: TestStatistics
    items: tuple[ItemStatistics, ...]

    @property
    def flagged(self) -> list[int]:
        return [i.index for i in self.items if i.flags]


def _mean(xs: Sequence[float]) -> float:
    return math.fsum(xs) / len(xs)


def _validate(marks: Sequence[Sequence[float]], max_marks: Sequence[float]) -> None:
    p = len(max_marks)
    for i, m in enumerate(max_marks):
        if m < 0:
            raise StatisticsError(f"question {i + 1}: maximum mark must not be negative, got {m}")
    for s, row in enumerate(marks):
        if len(row) != p:
            raise StatisticsError(f"attempt {s + 1}: has {len(row)} marks but the test has {p} questions")
        for i, x in enumerate(row):
            if x is None or not math.isfinite(x):
                raise StatisticsError(
                    f"attempt {s + 1} question {i + 1}: mark must be a number (0 if unanswered)"
                )


def item_statistics(
    marks: Sequence[Sequence[float]],
    max_marks: Sequence[float],
    *,
    thresholds: FlagThresholds | None = None,
) -> list[ItemStatistics]:
    thresholds = thresholds or FlagThresholds()
    _validate(marks, max_marks)
    S, P = len(marks), len(max_marks)
    totals = [math.fsum(row) for row in marks]
    max_total = math.fsum(max_marks)
    raw = []
    for i in range(P):
        x = [row[i] for row in marks]
        rest = [t - xi for t, xi in zip(totals, x)]
        mean = _mean(x) if S else 0.0
        facility = 100 * mean / max_marks[i] if max_marks[i] else None
        sd = var = cov = covmax = cov_total = di = de = None
        if S > 1:
            mean_rest, mean_total = _mean(rest), _mean(totals)
            dx = [xi - mean for xi in x]
            dr = [r - mean_rest for r in rest]
            var = math.fsum(d * d for d in dx) / (S - 1)
            var_rest = math.fsum(d * d for d in dr) / (S - 1)
            cov = math.fsum(a * b for a, b in zip(dx, dr)) / (S - 1)
            covmax = math.fsum((a - mean) * (b - mean_rest) for a, b in zip(sorted(x), sorted(rest))) / (
                S - 1
            )
            cov_total = math.fsum(a * (t - mean_total) for a, t in zip(dx, totals)) / (S - 1)
            sd = math.sqrt(var)
            if var * var_rest:
                di = 100 * cov / math.sqrt(var * var_rest)
            if covmax:
                de = 100 * cov / covmax
        raw.append((i, x, mean, facility, sd, var, di, de, cov_total))
    sum_sqrt_cov = math.fsum(math.sqrt(r[8]) for r in raw if r[8] is not None and r[8] >= 0)
    out = []
    for i, _x, mean, facility, sd, _var, di, de, cov_total in raw:
        ew = None
        if sum_sqrt_cov and cov_total is not None and cov_total >= 0:
            ew = 100 * math.sqrt(cov_total) / sum_sqrt_cov
        flags = []
        if de is not None and de < thresholds.min_discriminative_efficiency:
            flags.append(
                f"discriminative efficiency {de:.1f}% is below {thresholds.min_discriminative_efficiency:g}%"
            )
        if di is not None and di < 0:
            flags.append(f"discrimination index {di:.1f}% is negative: stronger candidates do worse on it")
        elif di is not None and di < thresholds.min_discrimination_index:
            flags.append(f"discrimination index {di:.1f}% is below {thresholds.min_discrimination_index:g}%")
        if facility is not None and facility < thresholds.min_facility:
            flags.append(
                f"facility {facility:.1f}% is below {thresholds.min_facility:g}%: almost nobody gets it"
            )
        if facility is not None and facility > thresholds.max_facility:
            flags.append(
                f"facility {facility:.1f}% is above {thresholds.max_facility:g}%: almost everybody gets it"
            )
        out.append(
            ItemStatistics(
                index=i,
                s=S,
                max_mark=max_marks[i],
                mean=mean,
                facility=facility,
                sd=sd,
                sd_percent=(100 * sd / max_marks[i]) if sd is not None and max_marks[i] else None,
                discrimination_index=di,
                discriminative_efficiency=de,
                effective_weight=ew,
                intended_weight=100 * max_marks[i] / max_total if max_total else 0.0,
                flags=tuple(flags),
            )
        )
    return out


def test_statistics(marks: Sequence[Sequence[float]], max_marks: Sequence[float]) -> TestStatistics:
    _validate(marks, max_marks)
    S, P = len(marks), len(max_marks)
    totals = sorted(math.fsum(row) for row in marks)
    max_total = math.fsum(max_marks)
    mean = median = sd = skew = kurt = cic = er = se = None
    if S:
        mean = _mean(totals)
        median = totals[S // 2] if S % 2 else (totals[S // 2 - 1] + totals[S // 2]) / 2
    if S > 1:
        d = [t - mean for t in totals]
        power2 = math.fsum(v**2 for v in d)
        sd = math.sqrt(power2 / (S - 1))
        if S > 2:
            m2, m3, m4 = power2 / S, math.fsum(v**3 for v in d) / S, math.fsum(v**4 for v in d) / S
            k2 = S * m2 / (S - 1)
            k3 = S * S * m3 / ((S - 1) * (S - 2))
            if k2:
                skew = k3 / k2**1.5
                if S > 3:
                    k4 = S * S * ((S + 1) * m4 - 3 * (S - 1) * m2 * m2) / ((S - 1) * (S - 2) * (S - 3))
                    kurt = k4 / (k2 * k2)
                if P > 1:
                    sum_var = 0.0
                    for i in range(P):
                        x = [row[i] for row in marks]
                        mx = _mean(x)
                        sum_var += math.fsum((v - mx) ** 2 for v in x) / (S - 1)
                    cic = (100 * P / (P - 1)) * (1 - sum_var / k2)
                    # alpha <= 100% always (k2 <= P * sum_var); a negative alpha (items that
                    # pull against each other) gives an error ratio above 100%, still defined.
                    er = 100 * math.sqrt(max(0.0, 1 - cic / 100))
                    se = er * sd / 100
    return TestStatistics(
        s=S,
        p=P,
        max_total=max_total,
        mean=mean,
        median=median,
        sd=sd,
        skewness=skew,
        kurtosis=kurt,
        cic=cic,
        error_ratio=er,
        standard_error=se,
    )


test_statistics.__test__ = False  # not a pytest test despite the name


def quiz_statistics(
    marks: Sequence[Sequence[float]],
    max_marks: Sequence[float],
    *,
    thresholds: FlagThresholds | None = None,
) -> QuizStatistics:
    return QuizStatistics(
        test=test_statistics(marks, max_marks),
        items=tuple(item_statistics(marks, max_marks, thresholds=thresholds)),
    )
