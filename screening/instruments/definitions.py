"""The ten screening instruments RehabCare ships, as data only, checked when this module is imported.

Scoring rules follow the published scoring instructions cited with each instrument. Only the PHQ-9, GAD-7
and PHQ-4 are public domain, so only they carry their item wording; the others carry short neutral
labels of our own and a licence note, and a clinic holding a licence loads the official wording.
"""

from decimal import Decimal

from .model import BandRule, ChangeThresholds, FlagRule, Instrument, Subscale, item, scale

VERSION = "1.0"

PHQ_LICENCE = (
    "Public domain. Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues, "
    "with an educational grant from Pfizer Inc. No permission is required to reproduce, translate, display "
    "or distribute."
)
LICENSED_WORDING = (
    "The official item wording is copyrighted and is not shipped with RehabCare: it must be licensed from "
    "the copyright holder, and a clinic holding a licence can load it. The item labels shown here are our "
    "own neutral summaries, not the official items."
)

# --- Answer options shared by several items -------------------------------------------------------------

FREQUENCY = scale("Not at all", "Several days", "More than half the days", "Nearly every day")
# Answers are shown with their value beside them, so labels never repeat the number; a point of a
# scale with only its ends anchored has no label of its own.
PCS_ANSWERS = scale(
    "Not at all", "To a slight degree", "To a moderate degree", "To a great degree", "All the time"
)
TSK_ANSWERS = scale("Strongly disagree", "Disagree", "Agree", "Strongly agree", start=1)
PSEQ_ANSWERS = scale("Not at all confident", "", "", "", "", "", "Completely confident")
AGREEMENT = scale("Disagree", "Agree")
BOTHER = scale("Not at all", "Slightly", "Moderately", "Very much", "Extremely")
ISI_SEVERITY = scale("None", "Mild", "Moderate", "Severe", "Very severe")
ISI_SATISFACTION = scale("Very satisfied", "Satisfied", "Neither", "Dissatisfied", "Very dissatisfied")
ISI_IMPACT = scale("Not at all", "Slightly", "Moderately", "Considerably", "Extremely")
OMPSQ_DURATION = scale(
    "0–1 week",
    "1–2 weeks",
    "3–4 weeks",
    "4–5 weeks",
    "6–8 weeks",
    "9–11 weeks",
    "3–6 months",
    "6–9 months",
    "9–12 months",
    "over 1 year",
    start=1,
)


def _zero_to_ten(low: str, high: str) -> tuple[tuple[int, str], ...]:
    """A 0–10 rating with labelled ends."""
    return scale(low, *([""] * 9), high)


# --- PHQ-9 ------------------------------------------------------------------------------------------------

PHQ9_ITEMS = (
    ("Little interest or pleasure", "Little interest or pleasure in doing things"),
    ("Feeling down", "Feeling down, depressed, or hopeless"),
    ("Sleep problems", "Trouble falling or staying asleep, or sleeping too much"),
    ("Tiredness", "Feeling tired or having little energy"),
    ("Appetite", "Poor appetite or overeating"),
    (
        "Feeling bad about yourself",
        "Feeling bad about yourself — or that you are a failure or have let yourself or your family down",
    ),
    (
        "Concentration",
        "Trouble concentrating on things, such as reading the newspaper or watching television",
    ),
    (
        "Slowed down or restless",
        "Moving or speaking so slowly that other people could have noticed? Or the opposite — being so "
        "fidgety or restless that you have been moving around a lot more than usual",
    ),
    (
        "Thoughts of self-harm",
        "Thoughts that you would be better off dead or of hurting yourself in some way",
    ),
)

PHQ9 = Instrument(
    code="PHQ-9",
    name="Patient Health Questionnaire-9",
    patient_title="How you have been feeling",
    version=VERSION,
    domain="depression",
    stem="Over the last 2 weeks, how often have you been bothered by any of the following problems?",
    items=tuple(
        item(number, label, FREQUENCY, text=text) for number, (label, text) in enumerate(PHQ9_ITEMS, 1)
    ),
    bands=(
        BandRule("minimal", 0, 4),
        BandRule("mild", 5, 9),
        BandRule("moderate", 10, 14),
        BandRule("moderately severe", 15, 19),
        BandRule("severe", 20, 27),
    ),
    flags=(
        FlagRule("high", low=10),
        # Any thought of self-harm is urgent, whatever the total.
        FlagRule("safety", item=9, low=1),
    ),
    # One or two of items 1–8 may be imputed; item 9 never is, a blank there could hide risk.
    prorate_items=(1, 2, 3, 4, 5, 6, 7, 8),
    max_prorated_missing=2,
    higher_is_better=False,
    thresholds=ChangeThresholds(mcid=Decimal("5"), rc=Decimal("6")),
    min_total=0,
    max_total=27,
    licence=PHQ_LICENCE,
    citation=(
        "Kroenke K, Spitzer RL, Williams JBW. The PHQ-9: validity of a brief depression severity measure. "
        "J Gen Intern Med. 2001;16(9):606–613."
    ),
    public_domain=True,
    opens_review=True,
)

# --- GAD-7 ------------------------------------------------------------------------------------------------

GAD7_ITEMS = (
    ("Nervous or on edge", "Feeling nervous, anxious, or on edge"),
    ("Uncontrolled worrying", "Not being able to stop or control worrying"),
    ("Worrying too much", "Worrying too much about different things"),
    ("Trouble relaxing", "Trouble relaxing"),
    ("Restlessness", "Being so restless that it is hard to sit still"),
    ("Irritability", "Becoming easily annoyed or irritable"),
    ("Feeling afraid", "Feeling afraid, as if something awful might happen"),
)

GAD7 = Instrument(
    code="GAD-7",
    name="Generalized Anxiety Disorder-7",
    patient_title="Worry and nerves",
    version=VERSION,
    domain="anxiety",
    stem="Over the last 2 weeks, how often have you been bothered by the following problems?",
    items=tuple(
        item(number, label, FREQUENCY, text=text) for number, (label, text) in enumerate(GAD7_ITEMS, 1)
    ),
    bands=(
        BandRule("minimal", 0, 4),
        BandRule("mild", 5, 9),
        BandRule("moderate", 10, 14),
        BandRule("severe", 15, 21),
    ),
    flags=(FlagRule("high", low=10),),
    higher_is_better=False,
    thresholds=ChangeThresholds(mcid=Decimal("4"), rc=Decimal("4")),
    min_total=0,
    max_total=21,
    licence=PHQ_LICENCE,
    citation=(
        "Spitzer RL, Kroenke K, Williams JBW, Löwe B. A brief measure for assessing generalized anxiety "
        "disorder: the GAD-7. Arch Intern Med. 2006;166(10):1092–1097."
    ),
    public_domain=True,
    opens_review=True,
)

# --- PHQ-4 ------------------------------------------------------------------------------------------------

PHQ4_ITEMS = (
    ("Nervous or on edge", "Feeling nervous, anxious or on edge"),
    ("Uncontrolled worrying", "Not being able to stop or control worrying"),
    ("Little interest or pleasure", "Little interest or pleasure in doing things"),
    ("Feeling down", "Feeling down, depressed or hopeless"),
)

PHQ4 = Instrument(
    code="PHQ-4",
    name="Patient Health Questionnaire-4",
    patient_title="How you have been feeling",
    version=VERSION,
    domain="distress",
    stem="Over the last 2 weeks, how often have you been bothered by the following problems?",
    items=tuple(
        item(number, label, FREQUENCY, text=text) for number, (label, text) in enumerate(PHQ4_ITEMS, 1)
    ),
    subscales=(Subscale("anxiety", (1, 2)), Subscale("depression", (3, 4))),
    bands=(
        BandRule("normal", 0, 2),
        BandRule("mild", 3, 5),
        BandRule("moderate", 6, 8),
        BandRule("severe", 9, 12),
    ),
    # A subscale of 3 or more is the published positive screen for anxiety or depression.
    flags=(
        FlagRule("high", subscale="anxiety", low=3),
        FlagRule("high", subscale="depression", low=3),
    ),
    higher_is_better=False,
    thresholds=None,
    min_total=0,
    max_total=12,
    licence=PHQ_LICENCE,
    citation=(
        "Kroenke K, Spitzer RL, Williams JBW, Löwe B. An ultra-brief screening scale for anxiety and "
        "depression: the PHQ-4. Psychosomatics. 2009;50(6):613–621."
    ),
    public_domain=True,
    opens_review=True,
)

# --- PCS --------------------------------------------------------------------------------------------------

PCS_LABELS = (
    "Worry about pain ending",
    "Feeling unable to go on",
    "Expecting no improvement",
    "Feeling overwhelmed",
    "Unable to bear it",
    "Fear of worsening",
    "Recalling other pain",
    "Urge for relief",
    "Pain stays in mind",
    "Dwelling on the hurt",
    "Dwelling on wanting relief",
    "Nothing helps",
    "Fear of serious harm",
)

PCS = Instrument(
    code="PCS",
    name="Pain Catastrophizing Scale",
    patient_title="Your thoughts about pain",
    version=VERSION,
    domain="catastrophizing",
    items=tuple(item(number, label, PCS_ANSWERS) for number, label in enumerate(PCS_LABELS, 1)),
    subscales=(
        Subscale("rumination", (8, 9, 10, 11)),
        Subscale("magnification", (6, 7, 13)),
        Subscale("helplessness", (1, 2, 3, 4, 5, 12)),
    ),
    bands=(BandRule("not clinically relevant", 0, 29), BandRule("clinically relevant", 30, 52)),
    flags=(FlagRule("high", low=30),),
    higher_is_better=False,
    thresholds=ChangeThresholds(mcid=Decimal("8"), rc=Decimal("12.8")),
    min_total=0,
    max_total=52,
    licence=f"The Pain Catastrophizing Scale is © Michael J.L. Sullivan. {LICENSED_WORDING}",
    citation=(
        "Sullivan MJL, Bishop SR, Pivik J. The Pain Catastrophizing Scale: development and validation. "
        "Psychol Assess. 1995;7(4):524–532."
    ),
    public_domain=False,
    opens_review=True,
)

# --- TSK-17 and TSK-11 ------------------------------------------------------------------------------------

# Our own labels for the TSK-17 items, by TSK-17 number.
TSK_LABELS = {
    1: "Exercise may cause injury",
    2: "Pushing through raises pain",
    3: "Body signalling danger",
    4: "Exercise may ease pain",
    5: "Not taken seriously",
    6: "Lasting risk to body",
    7: "Pain equals damage",
    8: "Aggravation is not danger",
    9: "Fear of accidental injury",
    10: "Avoiding movement feels safest",
    11: "Pain implies danger",
    12: "Activity is worthwhile",
    13: "Pain as stop signal",
    14: "Activity unsafe for me",
    15: "Limited by injury risk",
    16: "Pain is not harm",
    17: "No exercise when in pain",
}
TSK17_REVERSED = (4, 8, 12, 16)
# Woby et al. (2005) dropped items 4, 8, 9, 12, 14 and 16, which also removed every reversed item.
TSK11_FROM_TSK17 = (1, 2, 3, 5, 6, 7, 10, 11, 13, 15, 17)

TSK_CITATION = (
    "Miller RP, Kori SH, Todd DD. The Tampa Scale: a measure of kinesiophobia. Clin J Pain. 1991;7(1):51."
)
TSK_COPYRIGHT = "The Tampa Scale for Kinesiophobia is © its authors (Miller, Kori & Todd, 1991)."

TSK17 = Instrument(
    code="TSK-17",
    name="Tampa Scale for Kinesiophobia (17 items)",
    patient_title="Movement and your pain",
    version=VERSION,
    domain="kinesiophobia",
    items=tuple(
        item(number, label, TSK_ANSWERS, reversed=number in TSK17_REVERSED)
        for number, label in TSK_LABELS.items()
    ),
    bands=(BandRule("low", 17, 37), BandRule("high", 38, 68)),
    flags=(FlagRule("high", low=38),),
    higher_is_better=False,
    thresholds=ChangeThresholds(mcid=Decimal("4"), rc=Decimal("8.8")),
    min_total=17,
    max_total=68,
    licence=f"{TSK_COPYRIGHT} {LICENSED_WORDING}",
    citation=TSK_CITATION,
    public_domain=False,
    opens_review=True,
)

TSK11 = Instrument(
    code="TSK-11",
    name="Tampa Scale for Kinesiophobia (11 items)",
    patient_title="Movement and your pain",
    version=VERSION,
    domain="kinesiophobia",
    items=tuple(
        item(number, TSK_LABELS[original], TSK_ANSWERS) for number, original in enumerate(TSK11_FROM_TSK17, 1)
    ),
    # No published bands or cut-off: a clinic sets its own "high" cut-off if it wants one.
    higher_is_better=False,
    thresholds=ChangeThresholds(mcid=Decimal("4"), rc=Decimal("7.0")),
    min_total=11,
    max_total=44,
    licence=f"{TSK_COPYRIGHT} The TSK-11 short form is by Woby et al. (2005). {LICENSED_WORDING}",
    citation=(
        "Woby SR, Roach NK, Urmston M, Watson PJ. Psychometric properties of the TSK-11: a shortened version "
        "of the Tampa Scale for Kinesiophobia. Pain. 2005;117(1–2):137–144."
    ),
    public_domain=False,
    opens_review=True,
)

# --- PSEQ -------------------------------------------------------------------------------------------------

PSEQ_LABELS = (
    "Enjoying things",
    "Household tasks",
    "Social contact",
    "Coping in most situations",
    "Some form of work",
    "Leisure activities",
    "Coping without medication",
    "Pursuing life goals",
    "Usual lifestyle",
    "Becoming more active",
)

PSEQ = Instrument(
    code="PSEQ",
    name="Pain Self-Efficacy Questionnaire",
    patient_title="Doing things despite pain",
    version=VERSION,
    domain="self-efficacy",
    items=tuple(item(number, label, PSEQ_ANSWERS) for number, label in enumerate(PSEQ_LABELS, 1)),
    # Higher is better, so the severe band is at the bottom of the range.
    bands=(
        BandRule("severe", 0, 19),
        BandRule("moderate", 20, 30),
        BandRule("mild", 31, 40),
        BandRule("minimal", 41, 60),
    ),
    flags=(FlagRule("high", high=19),),
    higher_is_better=True,
    thresholds=None,
    min_total=0,
    max_total=60,
    licence=f"The Pain Self-Efficacy Questionnaire is © Michael K. Nicholas. {LICENSED_WORDING}",
    citation=(
        "Nicholas MK. The pain self-efficacy questionnaire: taking pain into account. Eur J Pain. "
        "2007;11(2):153–163."
    ),
    public_domain=False,
    opens_review=False,
)

# --- STarT Back -------------------------------------------------------------------------------------------

START_BACK = Instrument(
    code="STarT-Back",
    name="STarT Back Screening Tool",
    patient_title="Your back and everyday life",
    version=VERSION,
    domain="risk",
    items=(
        item(1, "Leg pain", AGREEMENT),
        item(2, "Shoulder or neck pain", AGREEMENT),
        item(3, "Walking distance", AGREEMENT),
        item(4, "Dressing", AGREEMENT),
        item(5, "Activity feels unsafe", AGREEMENT),
        item(6, "Worry", AGREEMENT),
        item(7, "Catastrophizing", AGREEMENT),
        item(8, "Loss of enjoyment", AGREEMENT),
        # Bothersomeness counts only when "very much" or "extremely".
        item(9, "Bothersomeness", BOTHER, recode={0: 0, 1: 0, 2: 0, 3: 1, 4: 1}),
    ),
    subscales=(Subscale("psychosocial", (5, 6, 7, 8, 9)),),
    # The published order matters: a total of 3 or less is low risk before the subscale is looked at.
    bands=(
        BandRule("low risk", high=3),
        BandRule("high risk", subscale="psychosocial", low=4),
        BandRule("medium risk"),
    ),
    flags=(FlagRule("high", band="high risk"),),
    higher_is_better=False,
    thresholds=None,
    min_total=0,
    max_total=9,
    licence=(
        "The STarT Back Screening Tool is © Keele University, free for non-commercial use; commercial use "
        f"needs a licence from Keele University. {LICENSED_WORDING}"
    ),
    citation=(
        "Hill JC, Dunn KM, Lewis M, Mullis R, Main CJ, Foster NE, Hay EM. A primary care back pain screening "
        "tool: identifying patient subgroups for initial treatment. Arthritis Rheum. 2008;59(5):632–641."
    ),
    public_domain=False,
    opens_review=True,
)

# --- ÖMPSQ-SF ---------------------------------------------------------------------------------------------

OMPSQ_SF = Instrument(
    code="OMPSQ-SF",
    name="Örebro Musculoskeletal Pain Screening Questionnaire – Short Form",
    patient_title="Your pain and everyday life",
    version=VERSION,
    domain="risk",
    items=(
        item(1, "Pain duration", OMPSQ_DURATION),
        item(2, "Pain intensity", _zero_to_ten("No pain", "Worst imaginable")),
        item(3, "Light work ability", _zero_to_ten("Not at all able", "Fully able"), reversed=True),
        item(4, "Sleep", _zero_to_ten("Not at all able", "Fully able"), reversed=True),
        item(5, "Tension or anxiety", _zero_to_ten("Not at all", "Extremely")),
        item(6, "Low mood", _zero_to_ten("Not at all", "Extremely")),
        item(7, "Expected persistence", _zero_to_ten("No risk", "Very large risk")),
        item(
            8,
            "Expected return to usual duties",
            _zero_to_ten("No chance", "Very large chance"),
            reversed=True,
        ),
        item(9, "Stopping when pain rises", _zero_to_ten("Completely disagree", "Completely agree")),
        item(10, "Work with current pain", _zero_to_ten("Completely disagree", "Completely agree")),
    ),
    bands=(BandRule("low risk", high=49), BandRule("high risk", low=50)),
    flags=(FlagRule("high", low=50),),
    higher_is_better=False,
    thresholds=None,
    min_total=1,
    max_total=100,
    licence=(
        "The Örebro Musculoskeletal Pain Screening Questionnaire short form is © its authors "
        f"(Linton, Nicholas & MacDonald, 2011). {LICENSED_WORDING}"
    ),
    citation=(
        "Linton SJ, Nicholas M, MacDonald S. Development of a short form of the Örebro Musculoskeletal Pain "
        "Screening Questionnaire. Spine. 2011;36(22):1891–1895."
    ),
    public_domain=False,
    opens_review=True,
)

# --- ISI --------------------------------------------------------------------------------------------------

ISI = Instrument(
    code="ISI",
    name="Insomnia Severity Index",
    patient_title="Your sleep",
    version=VERSION,
    domain="insomnia",
    items=(
        item(1, "Difficulty falling asleep", ISI_SEVERITY),
        item(2, "Difficulty staying asleep", ISI_SEVERITY),
        item(3, "Waking too early", ISI_SEVERITY),
        item(4, "Satisfaction with sleep", ISI_SATISFACTION),
        item(5, "Noticed by others", ISI_IMPACT),
        item(6, "Worry about sleep", ISI_IMPACT),
        item(7, "Effect on daily life", ISI_IMPACT),
    ),
    bands=(
        BandRule("no clinically significant insomnia", 0, 7),
        BandRule("subthreshold insomnia", 8, 14),
        BandRule("moderate clinical insomnia", 15, 21),
        BandRule("severe clinical insomnia", 22, 28),
    ),
    flags=(FlagRule("high", low=15),),
    higher_is_better=False,
    thresholds=ChangeThresholds(mcid=Decimal("6"), rc=Decimal("7.0")),
    min_total=0,
    max_total=28,
    licence=(
        "The Insomnia Severity Index is © Charles M. Morin and distributed by Mapi Research Trust. "
        f"{LICENSED_WORDING}"
    ),
    citation=(
        "Bastien CH, Vallières A, Morin CM. Validation of the Insomnia Severity Index as an outcome measure "
        "for insomnia research. Sleep Med. 2001;2(4):297–307."
    ),
    public_domain=False,
    opens_review=False,
)

INSTRUMENTS: dict[str, Instrument] = {
    instrument.code: instrument
    for instrument in (PHQ9, GAD7, PHQ4, PCS, TSK11, TSK17, PSEQ, START_BACK, OMPSQ_SF, ISI)
}


def get_instrument(code: str) -> Instrument:
    """The instrument with this code; LookupError if there is none."""
    try:
        return INSTRUMENTS[code]
    except KeyError:
        raise LookupError(f"Unknown instrument {code!r}.") from None
