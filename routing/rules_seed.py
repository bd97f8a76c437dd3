"""The routing rules every clinic starts with; clinic admins may change them afterwards.

Data, as ``screening/batteries.py`` is: ``SEEDED_RULES`` is read by the data migration (through
``rules_ensure``, which takes the historical models) and by the tests, which check that each rule fires
at its threshold and not one point under it. Each rule carries a one-line rationale and its source.

Due days by severity: a severe result (PHQ-9 ≥ 20, GAD-7 ≥ 15) is reviewed within 3 days and a reliable
deterioration within 7; every other finding within 14 (ISI within 21). Re-screen intervals: mood and
anxiety at 4 weeks (2 weeks when severe), the pain-related beliefs at 6 weeks, sleep at 8.
"""

from datetime import datetime
from typing import Any

PSYCHOLOGIST = "psychologist"
PHYSIOTHERAPIST = "physiotherapist"

FEAR_AVOIDANCE = (
    "Vlaeyen JWS, Linton SJ. Fear-avoidance and its consequences in chronic musculoskeletal pain: a state "
    "of the art. Pain. 2000;85(3):317–332."
)
RELIABLE_CHANGE = (
    "Jacobson NS, Truax P. Clinical significance: a statistical approach to defining meaningful change in "
    "psychotherapy research. J Consult Clin Psychol. 1991;59(1):12–19."
)

# The fields of each rule, as RoutingRule takes them; a rule is found again by its name.
SEEDED_RULES: list[dict[str, Any]] = [
    {
        "name": "High pain catastrophizing (PCS ≥ 30)",
        "instrument": "PCS",
        "condition": "score",
        "low": 30,
        "discipline": PSYCHOLOGIST,
        "due_days": 14,
        "interventions": ["cbt_pain_coping", "graded_exposure"],
        "rescreen_days": 42,
        "rationale": (
            "Catastrophizing at the clinical cut-off feeds the fear-avoidance cycle; CBT-informed pain "
            "coping and graded exposure target it."
        ),
        "source": (
            "Sullivan MJL et al. Psychol Assess. 1995;7(4):524–532 (cut-off 30, adults with pain); "
            + FEAR_AVOIDANCE
        ),
        "position": 1,
    },
    {
        "name": "Severe depressive symptoms (PHQ-9 ≥ 20)",
        "instrument": "PHQ-9",
        "condition": "score",
        "low": 20,
        "discipline": PSYCHOLOGIST,
        "due_days": 3,
        "interventions": ["mental_health_referral", "behavioural_activation"],
        "rescreen_days": 14,
        "rationale": "Severe depression calls for prompt assessment and referral to mental-health services.",
        "source": (
            "Kroenke K et al. J Gen Intern Med. 2001;16(9):606–613 (severe 20–27, primary care); NICE CG91 "
            "Depression in adults with a chronic physical health problem, 2009 (stepped care)."
        ),
        "position": 1,
    },
    {
        "name": "Moderate depressive symptoms (PHQ-9 10–19)",
        "instrument": "PHQ-9",
        "condition": "score",
        "low": 10,
        "high": 19,
        "discipline": PSYCHOLOGIST,
        "due_days": 14,
        "interventions": ["behavioural_activation"],
        "rescreen_days": 28,
        "rationale": "Low mood at the PHQ-9 cut-off lowers adherence; behavioural activation treats it.",
        "source": (
            "Kroenke K et al. J Gen Intern Med. 2001;16(9):606–613 (cut-off 10, primary care); Cuijpers P et "
            "al. Behavioral activation treatments of depression: a meta-analysis. Clin Psychol Rev. "
            "2007;27(3):318–326."
        ),
        "position": 2,
    },
    {
        "name": "Reliable deterioration of depressive symptoms (PHQ-9)",
        "instrument": "PHQ-9",
        "condition": "deterioration",
        "discipline": PSYCHOLOGIST,
        "due_days": 7,
        "interventions": [],
        "rescreen_days": 28,
        "rationale": "A rise beyond measurement error since the last result needs a look, whatever the band.",
        "source": RELIABLE_CHANGE,
        "position": 3,
    },
    {
        "name": "Severe anxiety (GAD-7 ≥ 15)",
        "instrument": "GAD-7",
        "condition": "score",
        "low": 15,
        "discipline": PSYCHOLOGIST,
        "due_days": 3,
        "interventions": ["mental_health_referral", "relaxation"],
        "rescreen_days": 14,
        "rationale": "Severe anxiety calls for prompt assessment and referral to mental-health services.",
        "source": (
            "Spitzer RL et al. Arch Intern Med. 2006;166(10):1092–1097 (severe 15–21, primary care); NICE "
            "CG113 Generalised anxiety disorder and panic disorder in adults, 2011 (stepped care)."
        ),
        "position": 1,
    },
    {
        "name": "Moderate anxiety (GAD-7 10–14)",
        "instrument": "GAD-7",
        "condition": "score",
        "low": 10,
        "high": 14,
        "discipline": PSYCHOLOGIST,
        "due_days": 14,
        "interventions": ["cbt_reframing", "relaxation"],
        "rescreen_days": 28,
        "rationale": "Anxiety at the GAD-7 cut-off is treatable within rehabilitation by CBT-informed work.",
        "source": "Spitzer RL et al. Arch Intern Med. 2006;166(10):1092–1097 (cut-off 10, primary care).",
        "position": 2,
    },
    {
        "name": "Reliable deterioration of anxiety (GAD-7)",
        "instrument": "GAD-7",
        "condition": "deterioration",
        "discipline": PSYCHOLOGIST,
        "due_days": 7,
        "interventions": [],
        "rescreen_days": 28,
        "rationale": "A rise beyond measurement error since the last result needs a look, whatever the band.",
        "source": RELIABLE_CHANGE,
        "position": 3,
    },
    {
        "name": "Reliable deterioration of pain catastrophizing (PCS)",
        "instrument": "PCS",
        "condition": "deterioration",
        "discipline": PSYCHOLOGIST,
        "due_days": 7,
        "interventions": ["cbt_pain_coping"],
        "rescreen_days": 42,
        "rationale": "A rise beyond measurement error since the last result needs a look, whatever the band.",
        "source": RELIABLE_CHANGE,
        "position": 2,
    },
    {
        "name": "Anxiety screen positive (PHQ-4 anxiety ≥ 3)",
        "instrument": "PHQ-4",
        "condition": "score",
        "subscale": "anxiety",
        "low": 3,
        "discipline": PSYCHOLOGIST,
        "due_days": 14,
        "interventions": [],
        "rescreen_days": 28,
        "rationale": (
            "A positive ultra-brief screen asks for a fuller assessment (GAD-7) before any plan work."
        ),
        "source": "Kroenke K et al. Psychosomatics. 2009;50(6):613–621 (subscale ≥ 3, primary care).",
        "position": 1,
    },
    {
        "name": "Depression screen positive (PHQ-4 depression ≥ 3)",
        "instrument": "PHQ-4",
        "condition": "score",
        "subscale": "depression",
        "low": 3,
        "discipline": PSYCHOLOGIST,
        "due_days": 14,
        "interventions": [],
        "rescreen_days": 28,
        "rationale": (
            "A positive ultra-brief screen asks for a fuller assessment (PHQ-9) before any plan work."
        ),
        "source": "Kroenke K et al. Psychosomatics. 2009;50(6):613–621 (subscale ≥ 3, primary care).",
        "position": 2,
    },
    {
        "name": "High fear of movement (TSK-17 ≥ 38)",
        "instrument": "TSK-17",
        "condition": "score",
        "low": 38,
        "discipline": PHYSIOTHERAPIST,
        "support_discipline": PSYCHOLOGIST,
        "due_days": 14,
        "interventions": ["graded_exposure", "pain_education"],
        "rescreen_days": 42,
        "rationale": (
            "High kinesiophobia keeps people from exercise; graded exposure to feared movement treats it."
        ),
        "source": (
            "Vlaeyen JWS et al. Pain. 1995;62(3):363–372 (TSK > 37, chronic low back pain); " + FEAR_AVOIDANCE
        ),
        "position": 1,
    },
    {
        "name": "High fear of movement (TSK-11, the clinic's cut-off)",
        "instrument": "TSK-11",
        "condition": "flag",
        "flag": "high",
        "discipline": PHYSIOTHERAPIST,
        "support_discipline": PSYCHOLOGIST,
        "due_days": 14,
        "interventions": ["graded_exposure", "pain_education"],
        "rescreen_days": 42,
        "rationale": (
            "High kinesiophobia keeps people from exercise; graded exposure to feared movement treats it."
        ),
        "source": (
            "Woby SR et al. Pain. 2005;117(1–2):137–144 (no published cut-off: the clinic sets one); "
            + FEAR_AVOIDANCE
        ),
        "position": 1,
    },
    {
        "name": "Clinical insomnia (ISI ≥ 15)",
        "instrument": "ISI",
        "condition": "score",
        "low": 15,
        "discipline": PSYCHOLOGIST,
        "due_days": 21,
        "interventions": ["sleep_strategies"],
        "rescreen_days": 56,
        "rationale": "Clinical insomnia worsens pain and mood; CBT-based sleep intervention is first-line.",
        "source": (
            "Bastien CH et al. Sleep Med. 2001;2(4):297–307 (15–21 moderate clinical insomnia); Qaseem A et "
            "al. Management of chronic insomnia disorder in adults: ACP guideline. Ann Intern Med. "
            "2016;165(2):125–133."
        ),
        "position": 1,
    },
    {
        "name": "High risk of persistent back pain (STarT Back)",
        "instrument": "STarT-Back",
        "condition": "band",
        "band": "high risk",
        "discipline": PHYSIOTHERAPIST,
        "support_discipline": PSYCHOLOGIST,
        "due_days": 14,
        "interventions": ["psychologically_informed_physio"],
        "rescreen_days": 42,
        "rationale": (
            "The high-risk group did better with psychologically informed physiotherapy than usual care."
        ),
        "source": (
            "Hill JC et al. Comparison of stratified primary care management for low back pain with current "
            "best practice (STarT Back): a randomised controlled trial. Lancet. 2011;378(9802):1560–1571."
        ),
        "position": 1,
    },
    {
        "name": "High risk of long-term disability (ÖMPSQ-SF ≥ 50)",
        "instrument": "OMPSQ-SF",
        "condition": "score",
        "low": 50,
        "discipline": PHYSIOTHERAPIST,
        "support_discipline": PSYCHOLOGIST,
        "due_days": 14,
        "interventions": ["psychologically_informed_physio"],
        "rescreen_days": 42,
        "rationale": (
            "A score at the short form's cut-off predicts work absence; address its psychosocial drivers."
        ),
        "source": (
            "Linton SJ, Nicholas M, MacDonald S. Spine. 2011;36(22):1891–1895 (cut-off 50, musculoskeletal "
            "pain in primary care)."
        ),
        "position": 1,
    },
    {
        "name": "Low pain self-efficacy (PSEQ ≤ 19)",
        "instrument": "PSEQ",
        "condition": "score",
        "high": 19,
        "discipline": PHYSIOTHERAPIST,
        "support_discipline": PSYCHOLOGIST,
        "due_days": 14,
        "interventions": ["self_management", "cbt_pain_coping"],
        "rescreen_days": 42,
        "rationale": (
            "Low confidence to act despite pain predicts poor engagement; build it by coping skills."
        ),
        "source": (
            "Nicholas MK. Eur J Pain. 2007;11(2):153–163; Nicholas MK, Asghari A, Blyth FM. What do the "
            "numbers mean? Normative data in chronic pain measures. Pain. 2008;134(1–2):158–173."
        ),
        "position": 1,
    },
]


def rules_ensure(rule_model: Any, history_model: Any = None, *, now: datetime | None = None) -> int:
    """Create the seeded rules that are missing (by name); leaves edited ones alone.

    Takes the model classes so that the data migration can pass its historical models; a migration's
    models send no history signals, so the first history row (the version a review names) is written
    here.
    """
    from django.utils import timezone

    created = 0
    for fields in SEEDED_RULES:
        rule, new = rule_model.objects.get_or_create(name=fields["name"], defaults=fields)
        created += new
        if new and history_model is not None:
            values = {f.attname: getattr(rule, f.attname) for f in rule_model._meta.concrete_fields}
            history_model.objects.create(
                **values,
                history_date=now or timezone.now(),
                history_type="+",
                history_change_reason="Seeded",
            )
    return created
