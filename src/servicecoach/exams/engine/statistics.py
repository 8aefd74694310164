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

Papers drawn per candidate (``question_statistics``): each question is analysed over the
attempts whose paper held it, and its "other marks" are the attempt's whole total T (not T - x),
as Moodle does for the questions a random slot picked (its calculator's ``positionstat = false``).

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
from collections.abc import Mapping, Sequence
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


@dataclass(frozen=True)
class _Moments:
    mean: float
    facility: float | None
    sd: float | None
    di: float | None
    de: float | None


def _moments(x: Sequence[float], other: Sequence[float], max_mark: float) -> _Moments:
    """Moodle's per-question moments of marks x against the "other marks" (rest of the test for
    a position, the whole total for a randomly drawn question)."""
    S = len(x)
    mean = _mean(x) if S else 0.0
    facility = 100 * mean / max_mark if max_mark else None
    sd = di = de = None
    if S > 1:
        mean_other = _mean(other)
        dx = [v - mean for v in x]
        do = [v - mean_other for v in other]
        var = math.fsum(d * d for d in dx) / (S - 1)
        var_other = math.fsum(d * d for d in do) / (S - 1)
        cov = math.fsum(a * b for a, b in zip(dx, do)) / (S - 1)
        covmax = math.fsum((a - mean) * (b - mean_other) for a, b in zip(sorted(x), sorted(other))) / (S - 1)
        sd = math.sqrt(var)
        if var * var_other:
            di = 100 * cov / math.sqrt(var * var_other)
        if covmax:
            de = 100 * cov / covmax
    return _Moments(mean=mean, facility=facility, sd=sd, di=di, de=de)


def _flags(m: _Moments, thresholds: FlagThresholds) -> tuple[str, ...]:
    flags = []
    if m.de is not None and m.de < thresholds.min_discriminative_efficiency:
        flags.append(
            f"discriminative efficiency {m.de:.1f}% is below {thresholds.min_discriminative_efficiency:g}%"
        )
    if m.di is not None and m.di < 0:
        flags.append(f"discrimination index {m.di:.1f}% is negative: stronger candidates do worse on it")
    elif m.di is not None and m.di < thresholds.min_discrimination_index:
        flags.append(f"discrimination index {m.di:.1f}% is below {thresholds.min_discrimination_index:g}%")
    if m.facility is not None and m.facility < thresholds.min_facility:
        flags.append(
            f"facility {m.facility:.1f}% is below {thresholds.min_facility:g}%: almost nobody gets it"
        )
    if m.facility is not None and m.facility > thresholds.max_facility:
        flags.append(
            f"facility {m.facility:.1f}% is above {thresholds.max_facility:g}%: almost everybody gets it"
        )
    return tuple(flags)


def item_statistics(
    marks: Sequence[Sequence[float]],
    max_marks: Sequence[float],
    *,
    thresholds: FlagThresholds | None = None,
) -> list[ItemStatistics]:
    """Statistics per question *position* (Moodle's slots): every attempt has the same P
    positions. The "other marks" are the rest of the test, T - x_i."""
    thresholds = thresholds or FlagThresholds()
    _validate(marks, max_marks)
    S, P = len(marks), len(max_marks)
    totals = [math.fsum(row) for row in marks]
    max_total = math.fsum(max_marks)
    mean_total = _mean(totals) if S else 0.0
    moments, cov_totals = [], []
    for i in range(P):
        x = [row[i] for row in marks]
        moments.append(_moments(x, [t - v for t, v in zip(totals, x)], max_marks[i]))
        cov_totals.append(
            math.fsum((v - moments[-1].mean) * (t - mean_total) for v, t in zip(x, totals)) / (S - 1)
            if S > 1
            else None
        )
    sum_sqrt_cov = math.fsum(math.sqrt(c) for c in cov_totals if c is not None and c >= 0)
    out = []
    for i, (m, cov_total) in enumerate(zip(moments, cov_totals)):
        ew = None
        if sum_sqrt_cov and cov_total is not None and cov_total >= 0:
            ew = 100 * math.sqrt(cov_total) / sum_sqrt_cov
        out.append(
            ItemStatistics(
                index=i,
                s=S,
                max_mark=max_marks[i],
                mean=m.mean,
                facility=m.facility,
                sd=m.sd,
                sd_percent=(100 * m.sd / max_marks[i]) if m.sd is not None and max_marks[i] else None,
                discrimination_index=m.di,
                discriminative_efficiency=m.de,
                effective_weight=ew,
                intended_weight=100 * max_marks[i] / max_total if max_total else 0.0,
                flags=_flags(m, thresholds),
            )
        )
    return out


@dataclass(frozen=True, kw_only=True)
class QuestionStatistics:
    """Statistics of one question across papers drawn per candidate (Moodle's statistics of
    the questions a random slot picked: the "other marks" are the attempt's whole total)."""

    key: str
    s: int  # attempts whose paper held the question
    max_mark: float
    mean: float
    facility: float | None
    sd: float | None
    sd_percent: float | None
    discrimination_index: float | None
    discriminative_efficiency: float | None
    flags: tuple[str, ...]


def question_statistics(
    attempts: Sequence[Mapping[str, tuple[float, float]]],
    *,
    thresholds: FlagThresholds | None = None,
) -> dict[str, QuestionStatistics]:
    """``attempts``: one mapping per attempt, question key -> (mark, maximum). Papers may hold
    different questions (drawn from a blueprint); each question is analysed over the attempts
    that had it, against those attempts' totals, as Moodle does for randomly drawn questions.
    A question whose maximum differs between papers is analysed on fractions of its maximum
    times the largest maximum (so its facility stays mean mark / max)."""
    thresholds = thresholds or FlagThresholds()
    totals = []
    for n, attempt in enumerate(attempts, 1):
        for key, (mark_, maximum) in attempt.items():
            if mark_ is None or not math.isfinite(mark_) or not math.isfinite(maximum) or maximum < 0:
                raise StatisticsError(f"attempt {n} question {key!r}: mark and maximum must be numbers")
        totals.append(math.fsum(m for m, _ in attempt.values()))
    per_key: dict[str, list[tuple[float, float, float]]] = {}
    for attempt, total in zip(attempts, totals):
        for key, (mark_, maximum) in attempt.items():
            per_key.setdefault(key, []).append((mark_, maximum, total))
    out = {}
    for key in sorted(per_key):
        rows = per_key[key]
        top = max(mx for _, mx, _ in rows)
        x = [m if mx == top else (m / mx * top if mx else 0.0) for m, mx, _ in rows]
        m = _moments(x, [t for _, _, t in rows], top)
        out[key] = QuestionStatistics(
            key=key,
            s=len(rows),
            max_mark=top,
            mean=m.mean,
            facility=m.facility,
            sd=m.sd,
            sd_percent=(100 * m.sd / top) if m.sd is not None and top else None,
            discrimination_index=m.di,
            discriminative_efficiency=m.de,
            flags=_flags(m, thresholds),
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
