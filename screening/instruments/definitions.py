"""The ten screening instruments RehabCare ships, as data only, checked when this module is imported.

Scoring rules follow the published scoring instructions cited with each instrument. Only the PHQ-9, GAD-7
and PHQ-4 are public domain, so only they carry their item wording; the others carry short neutral
labels of our own and a licence note, and a clinic holding a licence loads the official wording.
"""

from decimal import Decimal

from .model import (
    BandRule,
    BaselineMCID,
    ChangeThresholds,
    ClinicalRange,
    FlagRule,
    Instrument,
    Source,
    Subscale,
    item,
    scale,
)

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

# --- Sources of the numbers ------------------------------------------------------------------------------
#
# Every cut-off, MCID and reliable change below names its source. A reliable change (RC) is Jacobson &
# Truax's 1.96 × SD × √2 × √(1 − r); where a paper reports the standard error of measurement
# SEM = SD × √(1 − r) instead, RC = 1.96 × √2 × SEM = 2.77 × SEM.

JACOBSON_TRUAX = (
    "Jacobson NS, Truax P. Clinical significance: a statistical approach to defining meaningful change in "
    "psychotherapy research. J Consult Clin Psychol. 1991;59(1):12–19."
)
KROENKE_2001 = Source(
    citation=(
        "Kroenke K, Spitzer RL, Williams JBW. The PHQ-9: validity of a brief depression severity measure. "
        "J Gen Intern Med. 2001;16(9):606–613."
    ),
    population="6,000 primary-care and obstetrics-gynaecology outpatients, USA",
)
SIMON_2013 = Source(
    citation=(
        "Simon GE, Rutter CM, Peterson D, et al. Does response on the PHQ-9 depression questionnaire predict "
        "subsequent suicide attempt or suicide death? Psychiatr Serv. 2013;64(12):1195–1202."
    ),
    population="84,418 outpatients completing 207,265 PHQ-9s in a US integrated health system",
)
LOWE_2004 = Source(
    citation=(
        "Löwe B, Unützer J, Callahan CM, Perkins AJ, Kroenke K. Monitoring depression treatment outcomes "
        "with the Patient Health Questionnaire-9. Med Care. 2004;42(12):1194–1201."
    ),
    population="older primary-care patients treated for depression (IMPACT trial), USA",
)
IAPT_HANDBOOK = Source(
    citation=(
        "National IAPT Programme Team. The IAPT Data Handbook: guidance on recording and monitoring outcomes "
        "to support local evidence-based practice, version 2.0. London: NHS; 2011."
    ),
    population="adults in primary-care psychological therapy services (IAPT), England",
    cite_as="IAPT Data Handbook 2011",
    derivation=(
        "The programme's reliable-change criterion for the PHQ-9 (a change of 6 points or more); the "
        "handbook gives the criterion, not the SD and r it was computed from."
    ),
)
SPITZER_2006 = Source(
    citation=(
        "Spitzer RL, Kroenke K, Williams JBW, Löwe B. A brief measure for assessing generalized anxiety "
        "disorder: the GAD-7. Arch Intern Med. 2006;166(10):1092–1097."
    ),
    population="2,740 primary-care patients in 15 clinics, USA",
)
TOUSSAINT_2020 = Source(
    citation=(
        "Toussaint A, Hüsing P, Gumz A, et al. Sensitivity to change and minimal clinically important "
        "difference of the 7-item Generalized Anxiety Disorder Questionnaire (GAD-7). J Affect Disord. "
        "2020;265:395–401."
    ),
    population="261 outpatients with chronic depression in a multisite psychotherapy trial, Germany",
)
BISCHOFF_2020 = Source(
    citation=(
        "Bischoff T, Anderson SR, Heafner J, Tambling R. Establishment of a reliable change index for the "
        "GAD-7. Psychol Community Health. 2020;8(1):176–187."
    ),
    population="332 outpatients of a clinical sample and 116 online community adults, USA",
    derivation=(
        f"Jacobson & Truax RC with the 14–28-day test–retest r = 0.87 and the clinical sample's SD: "
        f"1.96 × SD × √2 × √(1 − 0.87) = 5.59 points, as the paper reports. {JACOBSON_TRUAX}"
    ),
)
KROENKE_2009 = Source(
    citation=(
        "Kroenke K, Spitzer RL, Williams JBW, Löwe B. An ultra-brief screening scale for anxiety and "
        "depression: the PHQ-4. Psychosomatics. 2009;50(6):613–621."
    ),
    population="2,149 primary-care patients in 15 clinics, USA",
)
SULLIVAN_MANUAL = Source(
    citation="Sullivan MJL. The Pain Catastrophizing Scale: User Manual. Montreal: McGill University; 2009.",
    population=(
        "people with chronic pain and injured workers; a total of 30 is the 75th percentile, the level the "
        "manual calls clinically relevant"
    ),
)
MONTICONE_2022 = (
    "Monticone M, Portoghese I, Rocca B, Giordano A, Campagna M, Franchignoni F. Responsiveness and minimal "
    "important change of the Pain Catastrophizing Scale in people with chronic low back pain undergoing "
    "multidisciplinary rehabilitation. Eur J Phys Rehabil Med. 2022;58(1):68–75."
)
MONTICONE_POPULATION = "people with chronic low back pain in 8-week multidisciplinary rehabilitation, Italy"
FERNANDES_2012 = Source(
    citation=(
        "Fernandes L, Storheim K, Lochting I, Grotle M. Cross-cultural adaptation and validation of the "
        "Norwegian pain catastrophizing scale in patients with low back pain. BMC Musculoskelet Disord. "
        "2012;13:111."
    ),
    population=(
        "61 people with subacute or chronic low back pain retested in primary and secondary care, Norway"
    ),
    derivation=(
        f"From the test–retest standard error of measurement, SEM = SD × √(1 − r) = 4.6 points: "
        f"RC = 1.96 × √2 × 4.6 = 12.8 points. {JACOBSON_TRUAX}"
    ),
)
WOBY_2005_CITATION = (
    "Woby SR, Roach NK, Urmston M, Watson PJ. Psychometric properties of the TSK-11: a shortened version of "
    "the Tampa Scale for Kinesiophobia. Pain. 2005;117(1–2):137–144."
)
WOBY_POPULATION = "people with chronic low back pain in outpatient physiotherapy, UK"
WOBY_2005_MCID = Source(
    citation=WOBY_2005_CITATION,
    population=WOBY_POPULATION,
    derivation="A reduction of at least 4 points best identified an important reduction in fear of movement.",
)
VLAEYEN_1995 = Source(
    citation=(
        "Vlaeyen JWS, Kole-Snijders AMJ, Boeren RGB, van Eek H. Fear of movement/(re)injury in chronic low "
        "back pain and its relation to behavioral performance. Pain. 1995;62(3):363–372."
    ),
    population="people with chronic low back pain in rehabilitation, the Netherlands; high is above 37",
)
CHIAROTTO_2016 = Source(
    citation=(
        "Chiarotto A, Vanti C, Cedraschi C, et al. Responsiveness and minimal important change of the Pain "
        "Self-Efficacy Questionnaire and short forms in patients with chronic low back pain. J Pain. "
        "2016;17(6):707–718."
    ),
    population="people with chronic low back pain in physiotherapy, Italy",
)
NICHOLAS_2007 = (
    "Nicholas MK. The pain self-efficacy questionnaire: taking pain into account. Eur J Pain. "
    "2007;11(2):153–163."
)
EPPOC_PSEQ = Source(
    citation=(
        "electronic Persistent Pain Outcomes Collaboration (ePPOC), Australian Health Services Research "
        "Institute, University of Wollongong: PSEQ severity ranges of its outcome reports; normative data in "
        "Nicholas MK, Costa DSJ, Blanchard M, et al. Pain. 2019;160(5):1156–1165."
    ),
    population="13,343 adults attending 36 specialist pain services, Australia and New Zealand",
    cite_as="ePPOC",
)
HILL_2008 = Source(
    citation=(
        "Hill JC, Dunn KM, Lewis M, et al. A primary care back pain screening tool: identifying patient "
        "subgroups for initial treatment. Arthritis Rheum. 2008;59(5):632–641."
    ),
    population="adults consulting their general practitioner with low back pain, UK",
)
LINTON_2011 = Source(
    citation=(
        "Linton SJ, Nicholas M, MacDonald S. Development of a short form of the Örebro Musculoskeletal Pain "
        "Screening Questionnaire. Spine. 2011;36(22):1891–1895."
    ),
    population="people with acute or subacute musculoskeletal pain in primary care and occupational health",
)
BASTIEN_2001 = Source(
    citation=(
        "Bastien CH, Vallières A, Morin CM. Validation of the Insomnia Severity Index as an outcome measure "
        "for insomnia research. Sleep Med. 2001;2(4):297–307."
    ),
    population="adults seeking treatment for insomnia, Canada",
)
YANG_2009 = Source(
    citation=(
        "Yang M, Morin CM, Schaefer K, Wallenstein GV. Interpreting score differences in the Insomnia "
        "Severity Index: using health-related outcomes to define the minimally important difference. Curr "
        "Med Res Opin. 2009;25(10):2487–2494."
    ),
    population="828 adults with primary insomnia in a 6-month placebo-controlled eszopiclone trial",
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
        FlagRule("safety", item=9, low=1, source=SIMON_2013),
    ),
    cutoff_source=KROENKE_2001,
    clinical_range=ClinicalRange(low=10, source=KROENKE_2001),
    # One or two of items 1–8 may be imputed; item 9 never is, a blank there could hide risk.
    prorate_items=(1, 2, 3, 4, 5, 6, 7, 8),
    max_prorated_missing=2,
    higher_is_better=False,
    thresholds=ChangeThresholds(
        mcid=Decimal("5"), mcid_source=LOWE_2004, rc=Decimal("6"), rc_source=IAPT_HANDBOOK
    ),
    min_total=0,
    max_total=27,
    licence=PHQ_LICENCE,
    citation=(
        "Kroenke K, Spitzer RL, Williams JBW. The PHQ-9: validity of a brief depression severity measure. "
        "J Gen Intern Med. 2001;16(9):606–613."
    ),
    public_domain=True,
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
    cutoff_source=SPITZER_2006,
    clinical_range=ClinicalRange(low=10, source=SPITZER_2006),
    higher_is_better=False,
    # The reliable change was 4 until issue 19, a figure with no SD and r behind it; Bischoff 2020
    # computes it by Jacobson & Truax.
    thresholds=ChangeThresholds(
        mcid=Decimal("4"), mcid_source=TOUSSAINT_2020, rc=Decimal("5.59"), rc_source=BISCHOFF_2020
    ),
    min_total=0,
    max_total=21,
    licence=PHQ_LICENCE,
    citation=(
        "Spitzer RL, Kroenke K, Williams JBW, Löwe B. A brief measure for assessing generalized anxiety "
        "disorder: the GAD-7. Arch Intern Med. 2006;166(10):1092–1097."
    ),
    public_domain=True,
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
    cutoff_source=KROENKE_2009,
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
    cutoff_source=SULLIVAN_MANUAL,
    clinical_range=ClinicalRange(low=30, source=SULLIVAN_MANUAL),
    higher_is_better=False,
    thresholds=ChangeThresholds(
        # Monticone 2022: MIC 8 overall and below 30 (n = 159), 11 for catastrophizers (n = 33). The paper
        # splits at "above 30"; we split at 30, the manual's clinically relevant level.
        mcid=Decimal("8"),
        mcid_source=Source(MONTICONE_2022, f"{MONTICONE_POPULATION}; all 205 patients"),
        mcid_by_baseline=(
            BaselineMCID(
                mcid=Decimal("8"),
                high=29,
                source=Source(MONTICONE_2022, f"{MONTICONE_POPULATION}; baseline PCS below 30 (n = 159)"),
            ),
            BaselineMCID(
                mcid=Decimal("11"),
                low=30,
                source=Source(
                    MONTICONE_2022, f"{MONTICONE_POPULATION}; catastrophizers, baseline PCS 30+ (n = 33)"
                ),
            ),
        ),
        rc=Decimal("12.8"),
        rc_source=FERNANDES_2012,
    ),
    min_total=0,
    max_total=52,
    licence=f"The Pain Catastrophizing Scale is © Michael J.L. Sullivan. {LICENSED_WORDING}",
    citation=(
        "Sullivan MJL, Bishop SR, Pivik J. The Pain Catastrophizing Scale: development and validation. "
        "Psychol Assess. 1995;7(4):524–532."
    ),
    public_domain=False,
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
    cutoff_source=VLAEYEN_1995,
    clinical_range=ClinicalRange(low=38, source=VLAEYEN_1995),
    higher_is_better=False,
    thresholds=ChangeThresholds(
        mcid=Decimal("4"),
        mcid_source=WOBY_2005_MCID,
        rc=Decimal("8.8"),
        rc_source=Source(
            WOBY_2005_CITATION,
            WOBY_POPULATION,
            derivation=(
                "From the test–retest SEM of 3.16 points (ICC 0.82): RC = 1.96 × √2 × 3.16 = 8.8. "
                f"{JACOBSON_TRUAX}"
            ),
        ),
    ),
    min_total=17,
    max_total=68,
    licence=f"{TSK_COPYRIGHT} {LICENSED_WORDING}",
    citation=TSK_CITATION,
    public_domain=False,
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
    thresholds=ChangeThresholds(
        mcid=Decimal("4"),
        mcid_source=WOBY_2005_MCID,
        rc=Decimal("7.0"),
        rc_source=Source(
            WOBY_2005_CITATION,
            WOBY_POPULATION,
            derivation=(
                "From the test–retest SEM of 2.54 points (ICC 0.81): RC = 1.96 × √2 × 2.54 = 7.0. "
                f"{JACOBSON_TRUAX}"
            ),
        ),
    ),
    min_total=11,
    max_total=44,
    licence=f"{TSK_COPYRIGHT} The TSK-11 short form is by Woby et al. (2005). {LICENSED_WORDING}",
    citation=(
        "Woby SR, Roach NK, Urmston M, Watson PJ. Psychometric properties of the TSK-11: a shortened version "
        "of the Tampa Scale for Kinesiophobia. Pain. 2005;117(1–2):137–144."
    ),
    public_domain=False,
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
    cutoff_source=EPPOC_PSEQ,
    clinical_range=ClinicalRange(high=19, source=EPPOC_PSEQ),
    higher_is_better=True,
    # RC = 1.96 × SD × √2 × √(1 − r) with Nicholas's 3-month test–retest r = 0.73 and an SD of 12 points:
    # 1.96 × 12 × 1.414 × 0.520 = 17.3.
    thresholds=ChangeThresholds(
        mcid=Decimal("5.5"),
        mcid_source=CHIAROTTO_2016,
        rc=Decimal("17.3"),
        rc_source=Source(
            NICHOLAS_2007,
            "people with chronic pain attending a pain management programme, Australia",
            derivation=(
                "Jacobson & Truax RC with the 3-month test–retest r = 0.73 and an SD of 12 points (the "
                "spread of pre-treatment PSEQ totals in pain-clinic samples): "
                "1.96 × 12 × √2 × √(1 − 0.73) = 17.3. "
                f"{JACOBSON_TRUAX}"
            ),
        ),
    ),
    min_total=0,
    max_total=60,
    licence=f"The Pain Self-Efficacy Questionnaire is © Michael K. Nicholas. {LICENSED_WORDING}",
    citation=(
        "Nicholas MK. The pain self-efficacy questionnaire: taking pain into account. Eur J Pain. "
        "2007;11(2):153–163."
    ),
    public_domain=False,
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
    cutoff_source=HILL_2008,
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
    cutoff_source=LINTON_2011,
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
    cutoff_source=BASTIEN_2001,
    clinical_range=ClinicalRange(low=15, source=BASTIEN_2001),
    higher_is_better=False,
    # The reliable change was 7.0 until issue 19, with no source; it is now computed from published figures.
    thresholds=ChangeThresholds(
        mcid=Decimal("6"),
        mcid_source=YANG_2009,
        rc=Decimal("3.3"),
        rc_source=Source(
            (
                "Morin CM, Belleville G, Bélanger L, Ivers H. The Insomnia Severity Index: psychometric "
                "indicators to detect insomnia cases and evaluate treatment response. Sleep. "
                "2011;34(5):601–608; with the SD from Yang et al. 2009 (above)."
            ),
            (
                "183 adults evaluated for insomnia treatment, Canada (reliability); "
                "828 adults with primary insomnia (SD)"
            ),
            derivation=(
                "Jacobson & Truax RC with the clinical sample's reliability (Cronbach α = 0.91; no "
                "test–retest r is reported) and an SD of 4 points (Yang 2009: 6 points were 1.5 SD): "
                f"1.96 × 4 × √2 × √(1 − 0.91) = 3.3. {JACOBSON_TRUAX}"
            ),
        ),
    ),
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
