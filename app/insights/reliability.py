"""Internal consistency: Cronbach's alpha / KR-20, Feldt's confidence interval, SEM."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from app.insights.fdist import f_quantile


@dataclass(frozen=True, slots=True)
class Reliability:
    """Alpha of the analysed attempts with its interval; ``None`` where not computable."""

    alpha: float | None
    #: True when every item is scored right/wrong, so alpha is KR-20.
    is_kr20: bool
    items: int
    attempts: int
    ci_low: float | None
    ci_high: float | None
    confidence: float
    #: Standard error of measurement, in points: SD(total) * sqrt(1 - alpha).
    sem: float | None


def cronbach_alpha(item_variances: Sequence[float], total_variance: float) -> float | None:
    """k/(k-1) * (1 - sum of item variances / total variance); None if k < 2 or no spread."""
    k = len(item_variances)
    if k < 2 or total_variance <= 0:
        return None
    return k / (k - 1) * (1 - math.fsum(item_variances) / total_variance)


def feldt_interval(
    alpha: float, attempts: int, items: int, confidence: float = 0.95
) -> tuple[float, float] | None:
    """Feldt (1965): (1 - alpha) / (1 - alpha_hat) ~ F(n - 1, (n - 1)(k - 1))."""
    if attempts < 3 or items < 2 or alpha >= 1:
        return None
    tail = (1 - confidence) / 2
    df1 = attempts - 1
    df2 = (attempts - 1) * (items - 1)
    low = 1 - (1 - alpha) * f_quantile(1 - tail, df1, df2)
    high = 1 - (1 - alpha) * f_quantile(tail, df1, df2)
    return low, high


def standard_error_of_measurement(total_sd: float, alpha: float | None) -> float | None:
    """SD * sqrt(1 - alpha); undefined for a negative alpha (the test measures nothing stable)."""
    if alpha is None or alpha < 0:
        return None
    return total_sd * math.sqrt(1 - min(alpha, 1.0))


def reliability(
    item_variances: Sequence[float],
    total_variance: float,
    attempts: int,
    *,
    dichotomous: bool,
    confidence: float = 0.95,
) -> Reliability:
    """Alpha, its Feldt interval and the SEM from item and total (population) variances."""
    alpha = cronbach_alpha(item_variances, total_variance)
    interval = (
        feldt_interval(alpha, attempts, len(item_variances), confidence)
        if alpha is not None
        else None
    )
    return Reliability(
        alpha=alpha,
        is_kr20=dichotomous,
        items=len(item_variances),
        attempts=attempts,
        ci_low=interval[0] if interval else None,
        ci_high=interval[1] if interval else None,
        confidence=confidence,
        sem=standard_error_of_measurement(math.sqrt(max(total_variance, 0.0)), alpha),
    )


def alpha_if_deleted(
    item_variances: Sequence[float],
    total_variance: float,
    covariances_with_total: Sequence[float],
) -> list[float | None]:
    """Alpha of the test without each item: var(T - x) = var T + var x - 2 cov(x, T)."""
    k = len(item_variances)
    variance_sum = math.fsum(item_variances)
    result: list[float | None] = []
    for variance, covariance in zip(item_variances, covariances_with_total, strict=True):
        rest_variance = total_variance + variance - 2 * covariance
        if k < 3 or rest_variance <= 1e-12:
            result.append(None)
        else:
            result.append((k - 1) / (k - 2) * (1 - (variance_sum - variance) / rest_variance))
    return result
