"""The starter education items RehabCare ships (careplans migration 0006), written for this product.

Each has a full text and a plain-language version in short, everyday words (about Flesch-Kincaid grade
5 to 6). Clinics edit them, and add their own, in the admin; ``education_ensure`` only creates the ones
missing (by slug) and never changes an edited one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .education import reading_levels_set

STARTER_ITEMS: list[dict[str, str]] = [
    {
        "slug": "how-pain-works",
        "title": "How pain works",
        "topic": "pain",
        "audience": "patient",
        "body": (
            "Pain is produced by your brain and nervous system to protect you. It is real, but it is not a "
            "direct measure of damage in your tissues. Hurt does not always mean harm.\n\n"
            "When pain lasts for months, the nervous system often becomes sensitised: it turns up the "
            "volume, so ordinary movements, tiredness, worry or stress can trigger protective pain even "
            "after the original injury has healed.\n\n"
            "This is why understanding pain, moving gradually, sleeping better and managing stress can all "
            "reduce it. Your team will help you retrain an over-protective system, step by step."
        ),
        "plain_body": (
            "Pain is made by your brain and nerves. Its job is to protect you. Your pain is real. But it "
            "does not always mean your body is hurt. Hurt is not the same as harm.\n\n"
            "When pain goes on for a long time, your nerves can get too sensitive. It is like an alarm that "
            "is set too loud. Small things can set it off. Moving, being tired, or feeling worried can all "
            "do it, even when the body has healed.\n\n"
            "The good news is that the alarm can be turned down. Moving a little more each week helps. So "
            "does good sleep and calm time. Your team will help you, one step at a time."
        ),
    },
    {
        "slug": "pacing-everyday-activity",
        "title": "Pacing: doing a little, often",
        "topic": "pacing",
        "audience": "patient",
        "body": (
            "Many people with persistent pain fall into a boom-and-bust pattern: doing too much on a good "
            "day, then needing days of rest to recover from the flare that follows.\n\n"
            "Pacing breaks this cycle. First find your baseline: the amount of an activity you can manage "
            "on a bad day as well as a good one, without a big increase in pain afterwards. Start a little "
            "below it.\n\n"
            "Then increase gradually, by about ten percent each week, whatever your pain is like that day. "
            "Plan regular short breaks before you need them. Over time your baseline rises and you can do "
            "more with less pain."
        ),
        "plain_body": (
            "On a good day, it is easy to do too much. Then pain comes back and you need days to rest. This "
            "is called boom and bust.\n\n"
            "Pacing stops this. First, find your start level. This is how much you can do on a bad day and "
            "a good day, without a lot more pain after. Start just below it.\n\n"
            "Then do a bit more each week. Add only a little at a time. Take short breaks before you need "
            "them. Step by step, you will be able to do more."
        ),
    },
    {
        "slug": "sleep-and-pain",
        "title": "Sleep and pain",
        "topic": "sleep",
        "audience": "patient",
        "body": (
            "Pain and sleep affect each other. Pain can make it harder to fall or stay asleep, and poor "
            "sleep makes the nervous system more sensitive, so pain feels worse the next day.\n\n"
            "Regular habits help: get up at the same time every day, keep the bedroom dark, quiet and cool, "
            "and avoid caffeine after lunchtime. If you cannot sleep after about twenty minutes, get up and "
            "do something calm until you feel sleepy.\n\n"
            "Gentle activity during the day and a wind-down routine in the evening also improve sleep. Tell "
            "your team if sleep stays difficult: there are effective treatments."
        ),
        "plain_body": (
            "Pain and sleep are linked. Pain can keep you awake. And poor sleep makes pain feel worse the "
            "next day.\n\n"
            "Some habits help. Get up at the same time each day. Keep your bedroom dark, quiet and cool. "
            "Do not drink tea, coffee or cola after lunch. If you cannot sleep, get up. Do something calm "
            "until you feel sleepy, then go back to bed.\n\n"
            "A short walk in the day helps too. So does a quiet hour before bed. If sleep is still hard, "
            "tell your team. They can help."
        ),
    },
    {
        "slug": "flare-up-plan",
        "title": "Your flare-up plan",
        "topic": "flare_up",
        "audience": "patient",
        "body": (
            "A flare-up is a period when pain is much worse than usual. Flare-ups are common during "
            "recovery, and they usually settle within days. They rarely mean new damage.\n\n"
            "Plan ahead with your team. Write down what helps you: reducing, but not stopping, your "
            "exercises; heat or gentle movement; relaxation or breathing; and pacing your day. Note early "
            "warning signs, such as poor sleep or rising stress.\n\n"
            "Return to your usual activity level gradually as the flare settles. Contact your team, or "
            "your doctor, if you have new symptoms such as numbness, weakness, fever or problems with "
            "bladder or bowel."
        ),
        "plain_body": (
            "A flare-up is when your pain gets much worse for a while. This is common. It often gets "
            "better in a few days. It does not mean you have hurt yourself again.\n\n"
            "Make a plan with your team before it happens. Write down what helps you. Do fewer exercises, "
            "but do not stop. Try heat or gentle moves. Breathe slowly and rest in short bits.\n\n"
            "As the pain settles, go back to your usual level bit by bit. Call your team or doctor if "
            "something new happens, like numbness, weak legs, a fever, or problems when you go to the "
            "toilet."
        ),
    },
    {
        "slug": "your-team",
        "title": "Who is in your team",
        "topic": "team",
        "audience": "patient",
        "body": (
            "Your care is shared by clinicians from several disciplines, who meet regularly to plan it "
            "with you.\n\n"
            "Your physiotherapist assesses how you move and builds a graded exercise programme. Your "
            "psychologist helps with the stress, worry and low mood that often come with pain, and teaches "
            "practical coping skills. Your occupational therapist helps you manage daily activities, work "
            "and hobbies. Your physician reviews your medical condition and medication.\n\n"
            "You are part of the team too: your goals, in your own words, are at the centre of the plan."
        ),
        "plain_body": (
            "A team of people will help you. They meet to plan your care with you.\n\n"
            "Your physio looks at how you move. They give you exercises that build up slowly. Your "
            "psychologist helps with stress, worry and low mood. They teach you ways to cope. Your OT "
            "helps you with daily tasks, work and hobbies. Your doctor checks your health and your "
            "medicines.\n\n"
            "You are part of the team too. Your goals, in your own words, are at the heart of your plan."
        ),
    },
    {
        "slug": "distress-signals-how-to-help",
        "title": "Signs of distress and how to help",
        "topic": "caregivers",
        "audience": "caregiver",
        "body": (
            "Living with persistent pain is hard, and family and friends are often the first to notice "
            "when someone is struggling. Signs of distress include withdrawing from people, sleeping much "
            "more or less, losing interest in things they enjoyed, irritability, hopelessness, or talking "
            "about being a burden.\n\n"
            "You can help by listening without judging, asking directly how they are feeling, and "
            "encouraging them to keep their appointments and tell their care team. Asking about suicidal "
            "thoughts does not put the idea in someone's head.\n\n"
            "If they talk about ending their life or you think they are in immediate danger, call 999. For "
            "urgent advice, call NHS 111. Samaritans are available day and night on 116 123. Let the care "
            "team know too."
        ),
        "plain_body": (
            "Living with pain is hard. Family and friends often see first when someone is not coping. Look "
            "out for signs. They may keep away from people. They may sleep much more or less. They may "
            "stop doing things they like. They may seem cross or hopeless, or say they are a burden.\n\n"
            "You can help. Listen, and do not judge. Ask them how they feel. Help them go to their visits "
            "and talk to their team. It is OK to ask if they have thought about ending their life. Asking "
            "will not give them the idea.\n\n"
            "If they talk about ending their life, or you think they are in danger now, call 999. For "
            "help that cannot wait, call 111. You can call Samaritans any time on 116 123. Tell their care "
            "team too."
        ),
    },
]


def education_ensure(item_model: Any, history_model: Any = None, *, now: datetime | None = None) -> int:
    """Create the starter items that are missing (by slug), with their reading levels; leaves edited
    ones alone. Takes the model classes so that the data migration can pass its historical models (which
    send no history signals: the first history row is written here)."""
    from django.utils import timezone

    created = 0
    for fields in STARTER_ITEMS:
        if item_model.objects.filter(slug=fields["slug"]).exists():
            continue
        item = item_model(**fields, active=True)
        reading_levels_set(item)
        item.save()
        created += 1
        if history_model is not None:
            values = {f.attname: getattr(item, f.attname) for f in item_model._meta.concrete_fields}
            history_model.objects.create(
                **values,
                history_date=now or timezone.now(),
                history_type="+",
                history_change_reason="Starter item",
            )
    return created
