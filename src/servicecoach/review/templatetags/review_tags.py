"""What the review panel on the quality app's conversation page shows to the user looking at it."""

from __future__ import annotations

from typing import Any

from django import template

from servicecoach.org.models import Role
from servicecoach.org.selectors import user_has_role
from servicecoach.review import selectors
from servicecoach.review.models import CaseWriteUp

register = template.Library()


@register.simple_tag
def conversation_review_panel(conversation, user) -> dict[str, Any]:
    """The regular review of the conversation (when the user may open it), the published case, and
    whether the user may start a review (QA staff, no review yet). Agents see their review only once
    it is submitted (the reviews selector decides)."""
    review = selectors.regular_review_for(conversation)
    can_open = review is not None and selectors.reviews_visible_to(user).filter(pk=review.pk).exists()
    qa_staff = user_has_role(user, Role.ADMIN, Role.QA_REVIEWER)
    case = CaseWriteUp.objects.filter(review=review).first() if review is not None and can_open else None
    return {
        "visible": can_open or qa_staff, "review": review if (can_open or qa_staff) else None,
        "can_open": can_open, "can_start": qa_staff and review is None, "case": case,
    }
