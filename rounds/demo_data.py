"""Fictional demo data: every person, child and word here is invented."""

DEMO_PASSWORD = "demo-rounds-2026"  # noqa: S105 - the published password of fictional demo accounts

UNITS = [
    {
        "key": "picu",
        "name": "Pediatric ICU (demo)",
        "phone": "+1 555 0100",
        "timezone": "America/New_York",
    },
    {
        "key": "cicu",
        "name": "Cardiac ICU (demo)",
        "phone": "+1 555 0200",
        "timezone": "America/New_York",
    },
]

STAFF = [
    {
        "email": "dr.rivera@example.org",
        "name": "Sam Rivera",
        "role": "clinician",
        "units": ["picu"],
    },
    {
        "email": "nurse.okafor@example.org",
        "name": "Grace Okafor",
        "role": "nurse",
        "units": ["picu"],
    },
    {
        "email": "interpreter.haddad@example.org",
        "name": "Yusuf Haddad",
        "role": "interpreter",
        "units": ["picu", "cicu"],
    },
    {"email": "admin@example.org", "name": "Robin Park", "role": "admin", "units": []},
    {
        "email": "dr.nguyen@example.org",
        "name": "Lan Nguyen",
        "role": "clinician",
        "units": ["cicu"],
    },
]

FAMILY = [
    {
        "email": "maria.lopez@example.org",
        "name": "Maria Lopez",
        "language": "es",
        "note": "mother of Leo and Sofia",
    },
    {
        "email": "james.chen@example.org",
        "name": "James Chen",
        "language": "en",
        "note": "father of Noah",
    },
    {
        "email": "fatima.benali@example.org",
        "name": "Fatima Benali",
        "language": "ar",
        "note": "mother of Amira",
    },
    {
        "email": "ana.pereira@example.org",
        "name": "Ana Pereira",
        "language": "pt-BR",
        "note": "mother of Lucas",
    },
    {
        "email": "marie.joseph@example.org",
        "name": "Marie Joseph",
        "language": "ht",
        "note": "mother of Chloe",
    },
    {
        "email": "wei.chen@example.org",
        "name": "Wei Chen",
        "language": "en",
        "note": "grandmother of Noah",
    },
]

ECMO_TEAM = "Dr Sam Rivera (attending), Grace (nurse), Tom (ECMO specialist)"
TEAM = "Dr Sam Rivera (attending), Grace (nurse), Priya (respiratory therapist)"


def _ecmo_day(day: int, status: str, summary: str, **extra) -> dict:
    return {
        "status": status,
        "summary": summary,
        "milestones": f"ECMO day {day}",
        "notes": {
            "life_support": "The ECMO machine is doing most of the work of Noah's heart and "
            "lungs so they can rest and heal.",
            **extra.pop("notes", {}),
        },
        "plan": extra.pop(
            "plan", "Keep Noah comfortable and let his lungs rest. Check his blood every few hours."
        ),
        "watch": extra.pop(
            "watch",
            [
                {
                    "if": "we see bleeding where the tubes go in",
                    "then": "we will adjust his blood thinner and may give blood",
                }
            ],
        ),
        **extra,
    }


CHILDREN = [
    {
        "name": "Noah Chen",
        "bed": "1",
        "unit": "picu",
        "care_team": ECMO_TEAM,
        "family": [
            ("james.chen@example.org", "Father", True),
            ("wei.chen@example.org", "Grandparent", False),
        ],
        # Waiting on the family access page for a nurse: a relative the father asked for.
        "asked_for": [
            ("Lin Chen", "Aunt or uncle", "zh", "Noah's godmother; she lives in Taipei."),
        ],
        "days": [
            _ecmo_day(
                1,
                "critical",
                "Noah was very sick overnight. We started ECMO to support "
                "his heart and lungs. He is sedated and not in pain.",
            ),
            _ecmo_day(
                2,
                "critical",
                "Noah had a steady night on ECMO. His body is getting enough oxygen now.",
            ),
            _ecmo_day(
                3,
                "critical",
                "Noah is stable on ECMO. His kidneys are making less urine, "
                "so we are watching them closely.",
                notes={
                    "kidneys": "His kidneys are tired. We may use a machine to help "
                    "them for a few days."
                },
            ),
            _ecmo_day(
                4,
                "serious",
                "Noah's lungs are starting to look better on the X-ray. "
                "We turned the ECMO support down a little.",
            ),
            _ecmo_day(
                5,
                "serious",
                "Noah did well with less ECMO support. He opened his eyes "
                "when his dad spoke to him.",
                correct={
                    "reason": "Wrong time of day",
                    "fields": {
                        "summary": "Noah did well with less ECMO support. He "
                        "opened his eyes when his dad spoke to him this morning."
                    },
                },
            ),
            _ecmo_day(
                6,
                "serious",
                "Noah is stable. We plan a short trial with even less ECMO support tomorrow.",
                plan="A trial with the ECMO turned down low, for about an hour, if his "
                "blood tests stay good.",
            ),
            _ecmo_day(
                7,
                "serious",
                "Noah handled the trial with low ECMO support well. His lungs "
                "are doing more of the work.",
                plan="If today goes well, we will talk about taking him off ECMO in the "
                "next two days.",
                watch=[
                    {
                        "if": "his oxygen level drops during the trial",
                        "then": "we will turn the ECMO support back up",
                    },
                    {
                        "if": "he gets a fever",
                        "then": "we will test for infection and start antibiotics",
                    },
                ],
            ),
        ],
    },
    {
        "name": "Leo Lopez",
        "bed": "2",
        "unit": "picu",
        "care_team": TEAM,
        "family": [("maria.lopez@example.org", "Mother", True)],
        "days": [
            {
                "status": "serious",
                "summary": "Leo has a bad pneumonia. He needs a breathing "
                "machine to help him for now.",
                "milestones": "Day 1 in the ICU",
            },
            {
                "status": "serious",
                "summary": "Leo is resting on the breathing machine. The antibiotics are working.",
            },
            {
                "status": "serious",
                "summary": "Leo's fever is gone. He needs less oxygen today.",
                "retract_wrong_child": "Sofia had a good night.",
            },
            {
                "status": "improving",
                "summary": "Leo is breathing more on his own.",
                "plan": "Try a test of breathing without the machine's help.",
            },
            {
                "status": "improving",
                "summary": "Leo passed his breathing test. We took out "
                "the breathing tube this afternoon.",
                "milestones": "Breathing tube out",
            },
            {
                "status": "improving",
                "summary": "Leo is breathing well with a little oxygen "
                "through his nose. He had some apple juice.",
            },
            {
                "status": "improving",
                "summary": "Leo is more awake and asked for his mum. He is eating small amounts.",
                "plan": "Sit up in a chair. Keep lowering his oxygen.",
                "notes": {"feeding": "Small sips and soft food. He is doing well."},
            },
        ],
    },
    {
        "name": "Sofia Lopez",
        "bed": "3",
        "unit": "picu",
        "care_team": TEAM,
        "family": [("maria.lopez@example.org", "Mother", True)],
        "days": [
            {"status": "serious", "summary": "Sofia came to the ICU with a bad asthma attack."},
            {"status": "improving", "summary": "Sofia's breathing is easier with her medicines."},
            {"status": "improving", "summary": "Sofia slept well and needs less oxygen."},
            {
                "status": "ready",
                "summary": "Sofia is breathing comfortably. She may move to the "
                "children's ward tomorrow.",
                "plan": "Move to the ward when a bed is ready.",
            },
        ],
    },
    {
        "name": "Amira Benali",
        "bed": "4",
        "unit": "picu",
        "care_team": "Dr Sam Rivera (attending), Grace (nurse), Hana (palliative care)",
        "family": [("fatima.benali@example.org", "Mother", True)],
        "skip_today": True,
        "days": [
            {"status": "serious", "summary": "Amira's illness has not responded to treatment."},
            {
                "status": "comfort",
                "summary": "As we talked about together, Amira is now on "
                "comfort care. Our goal is that she is peaceful and not in pain.",
                "plan": "Family can be with Amira at any time. Her nurse is nearby.",
            },
            {
                "status": "comfort",
                "summary": "Amira was peaceful overnight. Her family held her "
                "hand and sang to her.",
            },
        ],
    },
    {
        "name": "Lucas Pereira",
        "bed": "5",
        "unit": "picu",
        "care_team": TEAM,
        "family": [("ana.pereira@example.org", "Mother", True)],
        "days": [
            {
                "status": "critical",
                "summary": "Lucas had surgery on his heart. He is asleep and "
                "the breathing machine is helping him.",
            },
            {
                "status": "serious",
                "summary": "Lucas's heart is pumping better. We lowered one "
                "of his heart medicines.",
                "notes": {"heart": "His blood pressure is good with a lower dose of medicine."},
            },
            {
                "status": "serious",
                "summary": "Lucas is waking up slowly. He squeezed his mother's hand.",
                "milestones": "First day off one heart medicine",
            },
            {
                "status": "improving",
                "summary": "Lucas is breathing on his own. He is tired but comfortable.",
                "milestones": "Breathing tube out",
            },
        ],
    },
    {
        "name": "Chloe Joseph",
        "bed": "6",
        "unit": "picu",
        "care_team": TEAM,
        "family": [("marie.joseph@example.org", "Mother", True)],
        "skip_today": True,
        "days": [
            {
                "status": "serious",
                "summary": "Chloe has a serious infection in her blood. Strong "
                "antibiotics are working on it.",
                "notes": {"infection": "We are giving two antibiotics through her IV line."},
            },
            {
                "status": "improving",
                "summary": "Chloe's fever is lower and her blood pressure is "
                "steady without extra medicine.",
            },
        ],
    },
    {
        "name": "Ethan Brooks",
        "bed": "C1",
        "unit": "cicu",
        "care_team": "Dr Lan Nguyen (attending)",
        "family": [],
        "days": [
            {"status": "serious", "summary": "Ethan is recovering from heart surgery."},
        ],
    },
]
