"""Fictional demo data: every person, child and word here is invented."""

DEMO_PASSWORD = "demo-rounds-2026"  # noqa: S105 - the published password of fictional demo accounts

# How each demo unit's rounds run: usually from 7:30, ten minutes a child to start the
# estimates, over by themselves after three hours without a change, and a join link per
# child and day made from the pattern (meet.example.org is a made-up address).
ROUNDS = {
    "start": "07:30",
    "minutes_per_child": 10,
    "idle_hours": 3,
    "join_link_pattern": "https://meet.example.org/rounds-{code}",
}

UNITS = [
    {
        "key": "picu",
        "name": "Pediatric ICU (demo)",
        "phone": "+1 555 0100",
        "timezone": "America/New_York",
        "city": "Miami",
        "rounds": ROUNDS,
    },
    {
        "key": "cicu",
        "name": "Cardiac ICU (demo)",
        "phone": "+1 555 0200",
        "timezone": "America/New_York",
        "city": "Miami",
        "rounds": ROUNDS,
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
        "translates": ["es", "ht", "pt-BR", "ar"],
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
                "translations": {
                    "es": {
                        "summary": "Leo tiene una neumonía fuerte. Por ahora necesita una "
                        "máquina que le ayude a respirar.",
                        "milestones": "Día 1 en la UCI",
                    }
                },
            },
            {
                "status": "serious",
                "summary": "Leo is resting on the breathing machine. The antibiotics are working.",
                "translations": {
                    "es": {
                        "summary": "Leo está descansando con la máquina de respirar. "
                        "Los antibióticos están funcionando."
                    }
                },
            },
            {
                "status": "serious",
                "summary": "Leo's fever is gone. He needs less oxygen today.",
                "retract_wrong_child": "Sofia had a good night.",
                "translations": {
                    "es": {"summary": "A Leo se le quitó la fiebre. Hoy necesita menos oxígeno."}
                },
            },
            {
                "status": "improving",
                "summary": "Leo is breathing more on his own.",
                "plan": "Try a test of breathing without the machine's help.",
                "translations": {
                    "es": {
                        "summary": "Leo está respirando más por sí mismo.",
                        "plan": "Hacer una prueba para ver cómo respira sin la ayuda "
                        "de la máquina.",
                    }
                },
            },
            {
                "status": "improving",
                "summary": "Leo passed his breathing test. We took out "
                "the breathing tube this afternoon.",
                "milestones": "Breathing tube out",
                "translations": {
                    "es": {
                        "summary": "Leo pasó su prueba de respiración. Esta tarde le "
                        "quitamos el tubo de respirar.",
                        "milestones": "Ya no tiene el tubo de respirar",
                    }
                },
            },
            {
                "status": "improving",
                "summary": "Leo is breathing well with a little oxygen "
                "through his nose. He had some apple juice.",
                "translations": {
                    "es": {
                        "summary": "Leo respira bien con un poco de oxígeno por la nariz. "
                        "Tomó un poco de jugo de manzana."
                    }
                },
            },
            {
                # Today's: still waiting on the interpreter's queue (Spanish).
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
            # Written in Spanish by the bilingual attending: nothing to translate for her mother.
            {
                "status": "serious",
                "language": "es",
                "summary": "Sofia llegó a la UCI con un ataque de asma fuerte.",
            },
            {
                "status": "improving",
                "language": "es",
                "summary": "Sofia respira con más facilidad gracias a sus medicinas.",
            },
            {
                "status": "improving",
                "language": "es",
                "summary": "Sofia durmió bien y necesita menos oxígeno.",
            },
            {
                "status": "ready",
                "language": "es",
                "summary": "Sofia respira cómodamente. Es posible que mañana pase a la "
                "sala de niños.",
                "plan": "Pasar a la sala de niños cuando haya una cama lista.",
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
            {
                "status": "serious",
                "summary": "Amira's illness has not responded to treatment.",
                "translations": {"ar": {"summary": "لم يستجب مرض أميرة للعلاج."}},
            },
            {
                "status": "comfort",
                "summary": "As we talked about together, Amira is now on "
                "comfort care. Our goal is that she is peaceful and not in pain.",
                "plan": "Family can be with Amira at any time. Her nurse is nearby.",
                "translations": {
                    "ar": {
                        "summary": "كما تحدّثنا معًا، أصبحت أميرة الآن تتلقى رعاية الراحة. "
                        "هدفنا أن تكون مطمئنة وألّا تشعر بأي ألم.",
                        "plan": "يمكن للعائلة أن تكون مع أميرة في أي وقت. ممرضتها قريبة منها.",
                    }
                },
            },
            {
                "status": "comfort",
                "summary": "Amira was peaceful overnight. Her family held her "
                "hand and sang to her.",
                "translations": {
                    "ar": {"summary": "كانت أميرة هادئة طوال الليل. أمسكت عائلتها بيدها وغنّت لها."}
                },
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
                "translations": {
                    "pt-BR": {
                        "summary": "O Lucas fez uma cirurgia no coração. Ele está dormindo "
                        "e o aparelho de respirar está ajudando ele."
                    }
                },
            },
            {
                "status": "serious",
                "summary": "Lucas's heart is pumping better. We lowered one "
                "of his heart medicines.",
                "notes": {"heart": "His blood pressure is good with a lower dose of medicine."},
                "translations": {
                    "pt-BR": {
                        "summary": "O coração do Lucas está bombeando melhor. Diminuímos "
                        "um dos remédios do coração.",
                        "notes": {
                            "heart": "A pressão dele está boa com uma dose menor de remédio."
                        },
                    }
                },
            },
            {
                "status": "serious",
                "summary": "Lucas is waking up slowly. He squeezed his mother's hand.",
                "milestones": "First day off one heart medicine",
                "translations": {
                    "pt-BR": {
                        "summary": "O Lucas está acordando devagar. Ele apertou a mão da mãe.",
                        "milestones": "Primeiro dia sem um dos remédios do coração",
                    }
                },
            },
            {
                "status": "improving",
                "summary": "Lucas is breathing on his own. He is tired but comfortable.",
                "milestones": "Breathing tube out",
                "translations": {
                    "pt-BR": {
                        "summary": "O Lucas está respirando sozinho. Ele está cansado, "
                        "mas confortável.",
                        "milestones": "Tubo de respiração retirado",
                    }
                },
            },
        ],
    },
    {
        "name": "Chloe Joseph",
        "bed": "6",
        "unit": "picu",
        "care_team": TEAM,
        "family": [("marie.joseph@example.org", "Mother", True)],
        # Her mother reads Haitian Creole: every update, today's too, has its translation.
        "days": [
            {
                "status": "serious",
                "summary": "Chloe has a serious infection in her blood. Strong "
                "antibiotics are working on it.",
                "notes": {"infection": "We are giving two antibiotics through her IV line."},
                "translations": {
                    "ht": {
                        "summary": "Chloe gen yon enfeksyon grav nan san li. Antibyotik "
                        "ki fò yo ap goumen kont enfeksyon an.",
                        "notes": {
                            "infection": "N ap ba li de antibyotik pa tib IV ki nan venn li a."
                        },
                    }
                },
            },
            {
                "status": "critical",
                "summary": "Overnight, the infection made Chloe's heart and lungs very "
                "tired. We started ECMO, a machine that does the work of her heart and "
                "lungs while they rest. She is asleep and not in pain.",
                "milestones": "ECMO day 1",
                "translations": {
                    "ht": {
                        "summary": "Pandan nwit lan, enfeksyon an te fatige kè ak poumon "
                        "Chloe anpil. Nou mete l sou ECMO, yon machin ki fè travay kè ak "
                        "poumon li pandan y ap repoze. Li ap dòmi, e li pa santi doulè.",
                        "milestones": "ECMO jou 1",
                    }
                },
            },
            {
                "status": "serious",
                "summary": "Chloe had a calm night on ECMO. Her blood pressure is "
                "steady, and the antibiotics are fighting the infection.",
                "plan": "Keep Chloe asleep and comfortable. Check her blood every few "
                "hours. We may turn the ECMO support down a little tomorrow.",
                "watch": [
                    {
                        "if": "we see bleeding where the tubes go in",
                        "then": "we will adjust her blood thinner and may give her blood",
                    }
                ],
                "milestones": "ECMO day 2",
                "notes": {
                    "life_support": "The ECMO machine is doing most of the work of "
                    "Chloe's heart and lungs so they can rest and heal."
                },
                "translations": {
                    "ht": {
                        "summary": "Chloe te pase yon nwit kalm sou ECMO. Tansyon li "
                        "estab, e antibyotik yo ap goumen kont enfeksyon an.",
                        "plan": "N ap kenbe Chloe ap dòmi pou li rete alèz. N ap tcheke "
                        "san li chak kèk èdtan. Demen, nou ka bese sipò ECMO a yon ti kras.",
                        "watch": [
                            {
                                "if": "nou wè li senyen kote tib yo antre nan kò li",
                                "then": "n ap ajiste medikaman ki anpeche san li kaye a, "
                                "e nou ka ba li san",
                            }
                        ],
                        "milestones": "ECMO jou 2",
                        "notes": {
                            "life_support": "Machin ECMO a ap fè pi fò nan travay kè ak "
                            "poumon Chloe, pou yo ka repoze epi geri."
                        },
                    }
                },
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

# What families said about the next rounds (today's, unless today's are long past). Rounds are
# not started: staff trying the demo press "Start rounds" on the queue themselves.
ROUNDS_ANSWERS = [
    # (family member, child, choice, number the team calls)
    ("james.chen@example.org", "Noah Chen", "bedside", ""),
    ("wei.chen@example.org", "Noah Chen", "call", "+1 555 0142"),
    ("maria.lopez@example.org", "Leo Lopez", "video", ""),
    ("marie.joseph@example.org", "Chloe Joseph", "cannot", ""),
]

# Questions waiting for the team at rounds, each in the asker's language. A question in
# another language than the team's waits for an interpreter; "rendering" is what the unit's
# interpreter wrote for the team (none: still on the interpreter's list).
QUESTIONS = [
    {
        "email": "james.chen@example.org",
        "child": "Noah Chen",
        "language": "en",
        "text": "How will we know when Noah is ready to come off ECMO?",
    },
    {
        "email": "maria.lopez@example.org",
        "child": "Sofia Lopez",
        "language": "es",
        "text": "¿Puede mi hija comer algo hoy?",
        "rendering": "Can my daughter eat something today?",
    },
    {
        "email": "maria.lopez@example.org",
        "child": "Leo Lopez",
        "language": "es",
        "text": "¿Cuándo podrá Leo sentarse en una silla?",
    },
]
