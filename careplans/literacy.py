"""The single-item health-literacy screener recorded with a patient's preferences, and its source.

"How confident are you filling out medical forms by yourself?" An answer of "somewhat" or less
confident marks limited health literacy: then the product shows and prints plain-language versions.
"""

from screening.instruments.model import Source

QUESTION = "How confident are you filling out medical forms by yourself?"

# The answers that mark limited health literacy (``CarePreferences.FormsConfidence`` values).
LIMITED_ANSWERS = frozenset({"somewhat", "a_little", "not_at_all"})

SOURCES = (
    Source(
        citation=(
            "Chew LD, Bradley KA, Boyko EJ. Brief questions to identify patients with inadequate health "
            "literacy. Fam Med 2004;36(8):588-94"
        ),
        population="332 veterans at a US Veterans Affairs pre-operative clinic, against the S-TOFHLA",
        derivation="Inadequate health literacy when the answer is “somewhat”, “a little bit” or “not at all”",
    ),
    Source(
        citation=(
            "Wallace LS, Rogers ES, Roskos SE, Holiday DB, Weiss BD. Brief report: screening items to "
            "identify patients with limited health literacy skills. J Gen Intern Med 2006;21(8):874-7"
        ),
        population="305 English-speaking adults in a US primary care clinic, against the REALM",
        derivation="Limited health literacy at the same cut-off, “somewhat” or less confident",
    ),
)


def is_limited(forms_confidence: str) -> bool:
    """Whether this answer marks limited health literacy; no answer recorded is not limited."""
    return forms_confidence in LIMITED_ANSWERS
