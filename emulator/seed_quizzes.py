"""Seeded classic quizzes (201-205) and New Quizzes (assignments 301, 302) with submissions.

Called by ``emulator.seed.seed_store`` once courses and students exist. Students answer from
a latent ability (a two-parameter logistic item model), so the statistics mean something:
quiz 201 has easy and hard items, one flawed item whose distractor attracts strong students
(negative point biserial of the correct answer), and a distractor nobody picks. Everything is
derived from the seed ``rng`` and fixed dates, never from the wall clock.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from emulator.store import (
    Answer,
    Assignment,
    Attachment,
    Quiz,
    QuizQuestion,
    QuizSubmission,
    Store,
)

QUIZ_CREATED = datetime(2026, 9, 1, 14, 0, tzinfo=UTC)
SUBMISSION_ID_START = 5001
MC = "multiple_choice_question"
TF = "true_false_question"

# Submissions per quiz, by size, as a share of the course's students.
TAKE_RATE = {"small": 0.95, "demo": 0.93, "load": 0.93}


@dataclass(frozen=True)
class ItemSpec:
    """A multiple-choice/true-false item: options (correct first) and its IRT parameters."""

    text: str
    options: tuple[str, ...]
    difficulty: float = 0.0  # b: ability at which half answer correctly
    discrimination: float = 1.2  # a
    distractor_weights: tuple[float, ...] = ()  # attraction of options[1:], default equal
    flawed: int | None = None  # index in options of a distractor strong students fall for
    correct_position: int = 0  # where the correct option sits in the stored answer order


def _tf(text: str, truth: bool, difficulty: float = -1.0, discrimination: float = 1.0) -> ItemSpec:
    options = ("True", "False") if truth else ("False", "True")
    return ItemSpec(text, options, difficulty, discrimination, correct_position=0 if truth else 1)


CELL_BIOLOGY: tuple[ItemSpec, ...] = (
    ItemSpec("Which organelle is the main site of aerobic respiration?",
             ("Mitochondrion", "Golgi apparatus", "Lysosome", "Ribosome"), -1.6, 1.4),
    _tf("Prokaryotic cells lack a membrane-bound nucleus.", True, -1.8),
    ItemSpec("<p>What is the main structural component of the plasma membrane?</p>",
             ("Phospholipid bilayer", "Cellulose", "Peptidoglycan", "Chitin"), -0.9, 1.3,
             correct_position=2),
    ItemSpec("During which phase of mitosis do sister chromatids separate?",
             ("Anaphase", "Metaphase", "Prophase", "Telophase"), 0.2, 1.5, (3.0, 1.0, 1.5),
             correct_position=1),
    ItemSpec("Which molecule carries amino acids to the ribosome?",
             ("tRNA", "mRNA", "rRNA", "DNA polymerase"), -0.4, 1.2, (2.0, 1.0, 0.4),
             correct_position=3),
    _tf("The Golgi apparatus is the cell's main producer of ATP.", False, -1.2),
    # The flawed item: "Mitochondrial matrix" tempts the strongest students.
    ItemSpec("Where in a eukaryotic cell does glycolysis take place?",
             ("Cytoplasm", "Mitochondrial matrix", "Nucleus", "Thylakoid membrane"), -0.2, 0.0,
             (1.0, 0.6, 0.4), flawed=1),
    # A distractor nobody picks ("Centriole", weight 0).
    ItemSpec("Which structure controls what enters and leaves the cell?",
             ("Plasma membrane", "Cell wall", "Nucleolus", "Centriole"), -1.1, 1.1,
             (1.0, 0.5, 0.0), correct_position=1),
    ItemSpec("<p>The <em>fluid mosaic model</em> describes which structure?</p>",
             ("Cell membrane", "Chromatin", "Cytoskeleton", "Ribosome"), -0.6, 1.0),
    ItemSpec("Which enzyme unwinds the DNA double helix at the replication fork?",
             ("Helicase", "Ligase", "Primase", "Topoisomerase"), 0.9, 1.6, (1.0, 1.0, 2.0),
             correct_position=2),
    _tf("Osmosis is the diffusion of water across a selectively permeable membrane.", True, -1.4),
    ItemSpec("How many ATP molecules does glycolysis yield (net) per glucose molecule?",
             ("2", "4", "36", "38"), 1.2, 1.4, (3.0, 1.0, 1.0)),
    ItemSpec("Which organelle contains hydrolytic enzymes that digest macromolecules?",
             ("Lysosome", "Peroxisome", "Vacuole", "Smooth ER"), -0.3, 1.3, correct_position=3),
    ItemSpec("What is the main function of the rough endoplasmic reticulum?",
             ("Protein synthesis and folding", "Lipid synthesis", "Detoxification",
              "Photosynthesis"), 0.1, 1.1),
    _tf("Plant cells contain centrioles.", False, 0.8, 1.3),
    ItemSpec("In which phase of the cell cycle is DNA replicated?",
             ("S phase", "G1 phase", "G2 phase", "M phase"), -0.5, 1.4, correct_position=1),
    ItemSpec("Which of these is a passive transport process?",
             ("Facilitated diffusion", "Sodium-potassium pump", "Endocytosis", "Exocytosis"),
             0.4, 1.2),
    ItemSpec("Where is the electron transport chain located?",
             ("Inner mitochondrial membrane", "Outer mitochondrial membrane", "Cytosol",
              "Intermembrane space"), 1.7, 1.5, (2.0, 0.5, 1.5), correct_position=2),
    ItemSpec("Which cytoskeletal element forms the mitotic spindle?",
             ("Microtubules", "Microfilaments", "Intermediate filaments", "Keratin fibres"),
             0.3, 1.3),
    _tf("Ribosomes are enclosed by a membrane.", False, -0.2, 1.1),
)

STATISTICS_TERMS: tuple[tuple[str, str], ...] = (
    ("Median", "the middle value of an ordered data set"),
    ("Mode", "the most frequent value in a data set"),
    ("Standard deviation", "the square root of the variance"),
    ("p-value", "the probability of data at least as extreme as observed if H0 is true"),
    ("Type I error", "rejecting a true null hypothesis"),
    ("Type II error", "failing to reject a false null hypothesis"),
    ("Confidence interval", "a range of plausible values for a parameter"),
    ("Correlation coefficient", "a measure of linear association between -1 and 1"),
    ("Sampling distribution", "the distribution of a statistic over repeated samples"),
    ("Standard error", "the standard deviation of a sampling distribution"),
    ("Outlier", "an observation far from the bulk of the data"),
    ("Interquartile range", "the difference between the third and first quartiles"),
    ("Statistical power", "the probability of rejecting a false null hypothesis"),
    ("Residual", "an observed value minus the value predicted by a model"),
    ("Degrees of freedom", "the number of values free to vary in a calculation"),
    ("Skewness", "a measure of asymmetry of a distribution"),
    ("Random sample", "a sample in which every member had a known chance of selection"),
    ("Null hypothesis", "the statement of no effect that a test assumes"),
)

STATISTICS_FACTS: tuple[tuple[str, bool], ...] = (
    ("The mean is always greater than the median.", False),
    ("A correlation of 0 means there is no linear relationship.", True),
    ("Increasing the sample size narrows a confidence interval, other things equal.", True),
    ("A p-value is the probability that the null hypothesis is true.", False),
    ("The variance can be negative.", False),
    ("In a normal distribution about 95% of values lie within 2 standard deviations.", True),
    ("Correlation implies causation.", False),
    ("The standard error decreases as the sample size increases.", True),
    ("A histogram can show the shape of a distribution.", True),
    ("A 99% confidence interval is narrower than a 95% one from the same data.", False),
    ("Outliers never affect the mean.", False),
    ("A box plot shows the quartiles of a data set.", True),
)

RENAISSANCE: tuple[ItemSpec, ...] = (
    ItemSpec("Who painted <em>The Birth of Venus</em>?",
             ("Sandro Botticelli", "Leonardo da Vinci", "Raphael", "Titian"), -0.8),
    ItemSpec("In which city did the Italian Renaissance begin?",
             ("Florence", "Rome", "Venice", "Milan"), -1.0, correct_position=2),
    ItemSpec("Who designed the dome of Florence Cathedral?",
             ("Filippo Brunelleschi", "Donatello", "Michelangelo", "Alberti"), 0.5, 1.4),
    _tf("Michelangelo painted the ceiling of the Sistine Chapel.", True, -1.5),
    ItemSpec("Which family were the great patrons of Florentine art?",
             ("The Medici", "The Borgia", "The Sforza", "The Este"), -0.6, correct_position=1),
    ItemSpec("Which technique creates depth with converging lines?",
             ("Linear perspective", "Sfumato", "Chiaroscuro", "Fresco"), 0.2, 1.2),
    _tf("The Mona Lisa is painted in fresco.", False, 0.4),
    ItemSpec("Which artist wrote the <em>Lives of the Artists</em>?",
             ("Giorgio Vasari", "Benvenuto Cellini", "Leon Battista Alberti", "Raphael"),
             1.1, 1.3, correct_position=3),
)


# ---------------------------------------------------------------- helpers


def _logistic(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _question_from_spec(quiz_id: int, number: int, spec: ItemSpec, points: float) -> QuizQuestion:
    qid = quiz_id * 100 + number
    kind = TF if spec.options in (("True", "False"), ("False", "True")) else MC
    # Store answers in display order: the correct option at ``correct_position``.
    order = list(spec.options[1:])
    order.insert(min(spec.correct_position, len(order)), spec.options[0])
    if kind == TF:
        order = ["True", "False"]
    answers = [
        Answer(id=qid * 10 + i + 1, text=text, weight=100.0 if text == spec.options[0] else 0.0,
               position=i + 1)
        for i, text in enumerate(order)
    ]
    return QuizQuestion(id=qid, quiz_id=quiz_id, position=number, question_type=kind,
                        question_name=f"Question {number}", question_text=spec.text,
                        points_possible=points, answers=answers)


def _answer_id(question: QuizQuestion, text: str) -> int:
    return next(a.id for a in question.answers if a.text == text)


def _choose(rng: random.Random, spec: ItemSpec, ability: float) -> int | None:
    """Index into ``spec.options`` (0 = correct) or None for a blank."""
    if rng.random() < 0.015:
        return None
    if spec.flawed is not None:
        lure = _logistic(3.5 * (ability - 0.2)) * 0.95
        if rng.random() < lure:
            return spec.flawed
    if rng.random() < _logistic(spec.discrimination * 1.7 * (ability - spec.difficulty)):
        return 0
    weights = list(spec.distractor_weights) or [1.0] * (len(spec.options) - 1)
    weights += [1.0] * (len(spec.options) - 1 - len(weights))
    if spec.flawed is not None:
        weights[spec.flawed - 1] = 0.0
    if sum(weights) <= 0:
        return 0
    return 1 + rng.choices(range(len(weights)), weights=weights)[0]


def _mc_response(question: QuizQuestion, answer_id: int | None) -> dict[str, Any]:
    chosen = next((a for a in question.answers if a.id == answer_id), None)
    correct = chosen is not None and chosen.weight == 100.0
    return {
        "question_id": question.id,
        "answer_id": answer_id,
        "text": str(answer_id) if answer_id is not None else "",
        "correct": correct,
        "points": question.points_possible if correct else 0.0,
    }


def grade_choices(quiz: Quiz, choices: Mapping[int, int | None]) -> dict[int, dict[str, Any]]:
    """Responses for a multiple-choice/true-false attempt (``question id -> answer id``)."""
    return {q.id: _mc_response(q, choices.get(q.id)) for q in quiz.questions}


def record_attempt(store: Store, quiz: Quiz, user_id: int | None,
                   responses: dict[int, dict[str, Any]], started_at: datetime, *,
                   minutes: float = 20.0, workflow_state: str = "complete",
                   attempt: int | None = None) -> QuizSubmission:
    """Add one attempt (by default the user's next attempt number) — seed, tests, demos."""
    if attempt is None:
        previous = [s.attempt for s in store.quiz_submissions.values()
                    if s.quiz_id == quiz.id and s.user_id == user_id and user_id is not None]
        attempt = max(previous, default=0) + 1
    finished = started_at + timedelta(minutes=minutes)
    done = workflow_state in ("complete", "pending_review")
    submission = QuizSubmission(
        id=store.next_id("quiz_submission", SUBMISSION_ID_START), quiz_id=quiz.id,
        user_id=user_id, attempt=attempt, started_at=started_at,
        finished_at=finished if done else None, updated_at=finished if done else started_at,
        score=round(sum(float(r.get("points") or 0.0) for r in responses.values()), 2),
        workflow_state=workflow_state, responses=responses,
    )
    store.quiz_submissions[submission.id] = submission
    return submission


def course_students(store: Store, course_id: int) -> list[int]:
    return sorted({e.user_id for e in store.enrollments.values()
                   if e.course_id == course_id and e.type == "StudentEnrollment"
                   and e.workflow_state != "deleted"})


def _abilities(rng: random.Random, users: Sequence[int]) -> dict[int, float]:
    return {uid: rng.gauss(0.0, 1.0) for uid in users}


def _moment(rng: random.Random, start: datetime, days: float) -> datetime:
    return start + timedelta(seconds=rng.randint(0, int(days * 86400)))


# ---------------------------------------------------------------- item quizzes


def _item_quiz(store: Store, rng: random.Random, quiz: Quiz, specs: Sequence[ItemSpec],
               points: float, *, retake_rate: float, opens: datetime, size: str) -> None:
    quiz.questions = [_question_from_spec(quiz.id, n + 1, spec, points)
                      for n, spec in enumerate(specs)]
    quiz.points_possible = points * len(specs)
    store.quizzes[quiz.id] = quiz
    students = course_students(store, quiz.course_id)
    ability = _abilities(rng, students)
    for uid in students:
        if rng.random() > TAKE_RATE[size]:
            continue
        attempts = 1
        if quiz.allowed_attempts != 1 and rng.random() < retake_rate:
            attempts += 1 + (rng.random() < 0.3)
        start = _moment(rng, opens, 6)
        for attempt in range(attempts):
            theta = ability[uid] + 0.35 * attempt  # they learn between attempts
            choices = {}
            for question, spec in zip(quiz.questions, specs, strict=True):
                index = _choose(rng, spec, theta)
                choices[question.id] = (None if index is None
                                        else _answer_id(question, spec.options[index]))
            record_attempt(store, quiz, uid, grade_choices(quiz, choices), start,
                           minutes=rng.uniform(12, 55), attempt=attempt + 1)
            start += timedelta(hours=rng.uniform(3, 40))
    # A student who skipped it has an attempt in progress (never counted by the reports).
    taken = {s.user_id for s in store.quiz_submissions.values() if s.quiz_id == quiz.id}
    idle = [uid for uid in students if uid not in taken]
    if idle:
        record_attempt(store, quiz, idle[0], {}, opens + timedelta(days=7),
                       workflow_state="untaken", attempt=1)


def _statistics_specs(rng: random.Random) -> list[ItemSpec]:
    specs: list[ItemSpec] = []
    terms = list(STATISTICS_TERMS)
    facts = list(STATISTICS_FACTS)
    for index, (term, definition) in enumerate(terms):
        others = [t for t, _ in terms if t != term]
        distractors = tuple(rng.sample(others, 3))
        specs.append(ItemSpec(f"Which term means: {definition}?", (term, *distractors),
                              rng.uniform(-1.5, 1.6), rng.uniform(0.6, 1.8),
                              correct_position=index % 4))
        if index < len(facts):
            statement, truth = facts[index]
            specs.append(_tf(statement, truth, rng.uniform(-1.5, 0.8), rng.uniform(0.5, 1.5)))
    return specs


# ---------------------------------------------------------------- mixed question types


def _answers(qid: int, rows: Sequence[tuple[str, float, dict[str, Any]]]) -> list[Answer]:
    return [Answer(id=qid * 10 + i + 1, text=text, weight=weight, position=i + 1, extra=extra)
            for i, (text, weight, extra) in enumerate(rows)]


def mixed_questions(quiz_id: int) -> list[QuizQuestion]:
    """One question of every classic type (quiz 202)."""
    def q(n: int, kind: str, text: str, points: float, answers: list[Answer], *,
          extra: dict[str, Any] | None = None) -> QuizQuestion:
        return QuizQuestion(id=quiz_id * 100 + n, quiz_id=quiz_id, position=n,
                            question_type=kind, question_name=f"Question {n}",
                            question_text=text, points_possible=points, answers=answers,
                            extra=extra or {})

    b = quiz_id * 100
    return [
        q(1, MC, "<p>Which base pairs with adenine in DNA?</p>", 2.0,
          _answers(b + 1, [("Thymine", 100, {}), ("Guanine", 0, {}), ("Cytosine", 0, {}),
                           ("Uracil", 0, {})])),
        q(2, TF, "<p>Enzymes are consumed by the reactions they catalyse.</p>", 1.0,
          _answers(b + 2, [("True", 0, {}), ("False", 100, {})])),
        q(3, "short_answer_question", "<p>Name the process plants use to make glucose.</p>",
          2.0, _answers(b + 3, [("photosynthesis", 100, {}), ("Photosynthesis", 100, {})])),
        q(4, "fill_in_multiple_blanks_question",
          "<p>Roses are [color1], violets are [color2].</p>", 2.0,
          _answers(b + 4, [("red", 100, {"blank_id": "color1"}),
                           ("blue", 100, {"blank_id": "color2"})])),
        q(5, "multiple_answers_question", "<p>Which are <strong>prime</strong> numbers?</p>",
          2.0, _answers(b + 5, [("2", 100, {}), ("3", 100, {}), ("4", 0, {}),
                                ("9, squared", 0, {})])),
        q(6, "multiple_dropdowns_question",
          "<p>The [organ] pumps blood; the [gas] we exhale is CO2.</p>", 2.0,
          _answers(b + 6, [("heart", 100, {"blank_id": "organ"}),
                           ("liver", 0, {"blank_id": "organ"}),
                           ("carbon dioxide", 100, {"blank_id": "gas"}),
                           ("oxygen", 0, {"blank_id": "gas"})])),
        q(7, "matching_question", "<p>Match each organelle to its function.</p>", 3.0,
          _answers(b + 7, [("Ribosome", 100, {"right": "Protein synthesis", "match_id": 71}),
                           ("Mitochondrion", 100, {"right": "ATP => energy", "match_id": 72}),
                           ("Nucleus", 100, {"right": "Stores DNA, mostly", "match_id": 73})]),
          extra={"matches": [{"match_id": 71, "text": "Protein synthesis"},
                       {"match_id": 72, "text": "ATP => energy"},
                       {"match_id": 73, "text": "Stores DNA, mostly"},
                       {"match_id": 74, "text": "Photosynthesis"}]}),
        q(8, "numerical_question", "<p>What is the value of &pi; to two decimals?</p>", 2.0,
          _answers(b + 8, [("3.14", 100, {"numerical_answer_type": "exact_answer",
                                          "exact": 3.14, "margin": 0.005})])),
        q(9, "calculated_question", "<p>A cell divides every [t] hours. How many cells "
          "after [n] divisions starting from one?</p>", 2.0,
          _answers(b + 9, [("16.0", 100, {"variables": [{"name": "t", "value": 2.5},
                                                         {"name": "n", "value": 4}],
                                           "answer": 16.0})]),
          extra={"formulas": [{"formula": "2**n"}]}),
        q(10, "essay_question", "<p>Explain, in your own words, why cells are small.</p>",
          5.0, []),
        q(11, "file_upload_question", "<p>Upload your lab diagram.</p>", 3.0, []),
        q(12, "text_only_question", "<p>The last part is about the lab session.</p>", 0.0, []),
    ]


ESSAYS = (
    "<p>Small cells have a larger <strong>surface area to volume</strong> ratio.</p>",
    "<p>Because diffusion is slow over long distances.</p><p>Nutrients must reach the "
    "centre quickly.</p>",
    "<p>Cells stay small so that exchange with the outside is efficient, e.g. oxygen.</p>",
    "<p>I am not sure.</p>",
)


def _partial(points: float, right: int, total: int) -> tuple[float, bool | str]:
    earned = round(points * max(right, 0) / total, 2)
    if right >= total:
        return points, True
    return earned, ("partial" if earned > 0 else False)


def _mixed_response(rng: random.Random, question: QuizQuestion, theta: float,
                    upload_names: list[str]) -> dict[str, Any]:
    kind = question.question_type
    pts = question.points_possible
    good = _logistic(1.6 * theta + 0.6)
    base: dict[str, Any] = {"question_id": question.id}
    if kind in (MC, TF):
        key = next(a for a in question.answers if a.weight == 100)
        pick = key if rng.random() < good else rng.choice(
            [a for a in question.answers if a.weight != 100])
        return _mc_response(question, pick.id)
    if kind == "short_answer_question":
        typed = rng.choice(["photosynthesis", "Photosynthesis"]) if rng.random() < good else \
            rng.choice(["respiration", "fermentation", ""])
        match = next((a for a in question.answers if a.text == typed), None)
        return {**base, "text": typed, "answer_id": match.id if match else None,
                "correct": match is not None, "points": pts if match else 0.0}
    if kind == "fill_in_multiple_blanks_question":
        one = "red" if rng.random() < good else rng.choice(["crimson", "pink, maybe"])
        two = "blue" if rng.random() < good else rng.choice(["violet", ""])
        right = int(one == "red") + int(two == "blue")
        points, correct = _partial(pts, right, 2)
        return {**base, "answer_for_color1": one, "answer_for_color2": two,
                "text": "", "correct": correct, "points": points}
    if kind == "multiple_answers_question":
        picks = {a.id: (rng.random() < good) == (a.weight == 100) for a in question.answers}
        right = sum(1 for a in question.answers if picks[a.id] and a.weight == 100)
        extra = sum(1 for a in question.answers if picks[a.id] and a.weight != 100)
        points, correct = _partial(pts, right - extra, 2)
        return {**base, **{f"answer_{aid}": "1" if on else "0" for aid, on in picks.items()},
                "text": "", "correct": correct, "points": points}
    if kind == "multiple_dropdowns_question":
        organ = question.answers[0 if rng.random() < good else 1]
        gas = question.answers[2 if rng.random() < good else 3]
        right = int(organ.weight == 100) + int(gas.weight == 100)
        points, correct = _partial(pts, right, 2)
        return {**base, "answer_for_organ": organ.id, "answer_for_gas": gas.id, "text": "",
                "correct": correct, "points": points}
    if kind == "matching_question":
        match_ids = [71, 72, 73, 74]
        matched: dict[int, int] = {}
        for answer in question.answers:
            own = answer.extra["match_id"]
            matched[answer.id] = own if rng.random() < good else rng.choice(match_ids)
        right = sum(1 for a in question.answers if matched[a.id] == a.extra["match_id"])
        points, correct = _partial(pts, right, len(question.answers))
        return {**base, **{f"answer_{aid}": str(m) for aid, m in matched.items()}, "text": "",
                "correct": correct, "points": points}
    if kind == "numerical_question":
        text = "3.14" if rng.random() < good else rng.choice(["3.1416", "3", "22/7"])
        ok = text in ("3.14", "3.1416")
        return {**base, "text": text, "correct": ok, "points": pts if ok else 0.0}
    if kind == "calculated_question":
        text = "16" if rng.random() < good else rng.choice(["8", "10", "32"])
        ok = text == "16"
        return {**base, "text": text, "correct": ok, "points": pts if ok else 0.0}
    if kind == "essay_question":
        if rng.random() < 0.25:  # not graded yet
            return {**base, "text": rng.choice(ESSAYS), "correct": "undefined", "points": 0.0}
        earned = float(min(pts, max(0, round(pts * good + rng.uniform(-1.5, 1.5)))))
        verdict: bool | str = True if earned == pts else ("partial" if earned else False)
        return {**base, "text": rng.choice(ESSAYS), "correct": verdict, "points": earned}
    if kind == "file_upload_question":
        if not upload_names:
            return {**base, "text": "", "attachment_ids": [], "correct": "undefined",
                    "points": 0.0}
        return {**base, "text": "", "attachment_ids": [upload_names.pop()],
                "correct": "undefined", "points": 0.0}
    return {**base, "text": "", "correct": "no_score", "points": 0.0}  # text only


def _mixed_quiz(store: Store, rng: random.Random, quiz: Quiz) -> None:
    quiz.questions = mixed_questions(quiz.id)
    quiz.points_possible = sum(q.points_possible for q in quiz.questions)
    store.quizzes[quiz.id] = quiz
    students = course_students(store, quiz.course_id)
    ability = _abilities(rng, students)
    for uid in students:
        if rng.random() > 0.85:
            continue
        start = _moment(rng, datetime(2026, 10, 5, 9, tzinfo=UTC), 5)
        uploads: list[str] = []
        if rng.random() < 0.8:
            uploads.append(str(_upload(store, rng, uid, start).id))
        responses = {q.id: _mixed_response(rng, q, ability[uid], uploads)
                     for q in quiz.questions}
        state = "pending_review" if any(r.get("correct") == "undefined"
                                        for r in responses.values()) else "complete"
        record_attempt(store, quiz, uid, responses, start, minutes=rng.uniform(15, 45),
                       workflow_state=state, attempt=1)


def _upload(store: Store, rng: random.Random, user_id: int, at: datetime) -> Attachment:
    """A student's uploaded file (its display name appears in the Student Analysis)."""
    name = rng.choice(["lab-diagram", "cell drawing", "Diagram, final", "scan"])
    ext = rng.choice(["png", "pdf", "jpg"])
    attachment = Attachment(
        id=store.next_id("attachment"), uuid=f"{rng.getrandbits(160):040x}",
        context_type="User", context_id=user_id, display_name=f"{name}.{ext}",
        filename=f"{name.replace(' ', '_').replace(',', '')}.{ext}",
        content_type={"png": "image/png", "pdf": "application/pdf", "jpg": "image/jpeg"}[ext],
        data=b"seeded upload", created_at=at, user_id=user_id)
    store.attachments[attachment.id] = attachment
    return attachment


def _survey(store: Store, rng: random.Random, quiz: Quiz) -> None:
    """An anonymous, ungraded survey: item analysis is not generatable for it."""
    b = quiz.id * 100
    quiz.questions = [
        QuizQuestion(b + 1, quiz.id, 1, MC, "Question 1", "<p>How clear were the lectures?</p>",
                     0.0, _answers(b + 1, [("Very clear", 100, {}), ("Mostly clear", 100, {}),
                                           ("Unclear", 100, {})])),
        QuizQuestion(b + 2, quiz.id, 2, "essay_question", "Question 2",
                     "<p>What should we change?</p>", 0.0, []),
    ]
    store.quizzes[quiz.id] = quiz
    for uid in course_students(store, quiz.course_id):
        if rng.random() > 0.6:
            continue
        pick = rng.choice(quiz.questions[0].answers)
        responses = {
            b + 1: {"question_id": b + 1, "answer_id": pick.id, "text": str(pick.id),
                    "correct": True, "points": 0.0},
            b + 2: {"question_id": b + 2, "text": rng.choice(
                ["<p>More examples, please.</p>", "<p>Nothing.</p>", ""]),
                "correct": "undefined", "points": 0.0},
        }
        record_attempt(store, quiz, uid, responses,
                       _moment(rng, datetime(2026, 11, 2, 9, tzinfo=UTC), 4), minutes=4.0,
                       attempt=1)


# ---------------------------------------------------------------- New Quizzes


NEW_QUIZ_ITEMS: dict[int, tuple[str, tuple[ItemSpec, ...]]] = {
    301: ("Genetics Check", (
        ItemSpec("What is the phenotype ratio of an Aa x Aa cross (complete dominance)?",
                 ("3:1", "1:2:1", "1:1", "9:3:3:1"), 0.0, 1.4, correct_position=1),
        _tf("Alleles are different versions of the same gene.", True, -1.3),
        ItemSpec("Which molecule carries genetic information in most organisms?",
                 ("DNA", "RNA", "Protein", "Lipid"), -1.4, 1.1),
        ItemSpec("Who is known as the father of genetics?",
                 ("Gregor Mendel", "Charles Darwin", "Rosalind Franklin", "James Watson"),
                 -0.7, 1.0, correct_position=2),
        ItemSpec("A trait controlled by many genes is called...",
                 ("Polygenic", "Codominant", "Sex-linked", "Recessive"), 0.9, 1.3),
    )),
    302: ("Baroque Check", (
        ItemSpec("Who painted <em>The Night Watch</em>?",
                 ("Rembrandt", "Vermeer", "Caravaggio", "Rubens"), -0.5, 1.2),
        ItemSpec("Which feature is typical of Baroque painting?",
                 ("Dramatic chiaroscuro", "Flat perspective", "Gold backgrounds",
                  "Pointillism"), 0.2, 1.3, correct_position=3),
        _tf("Bernini was a Baroque sculptor.", True, -0.9),
        ItemSpec("Caravaggio worked mainly in which country?",
                 ("Italy", "Spain", "Netherlands", "France"), -0.2, 1.0, correct_position=1),
    )),
}


NEW_QUIZ_INSTRUCTIONS = {
    301: "<p>A short check on Mendelian genetics. One attempt, no time limit.</p>",
    302: "<p>Painters and sculptors of the Baroque. One attempt.</p>",
}
NEW_QUIZ_DUE = {
    301: datetime(2026, 10, 23, 23, 59, tzinfo=UTC),
    302: datetime(2026, 10, 30, 23, 59, tzinfo=UTC),
}


def _new_quiz(store: Store, rng: random.Random, assignment_id: int, course_id: int) -> None:
    name, specs = NEW_QUIZ_ITEMS[assignment_id]
    questions = [_question_from_spec(assignment_id, n + 1, spec, 2.0)
                 for n, spec in enumerate(specs)]
    essay = QuizQuestion(assignment_id * 100 + len(specs) + 1, assignment_id, len(specs) + 1,
                         "essay_question", "Reflection", "<p>What surprised you?</p>", 4.0, [])
    questions.append(essay)
    assignment = Assignment(id=assignment_id, course_id=course_id, name=name,
                            points_possible=sum(q.points_possible for q in questions),
                            is_quiz_lti_assignment=True, created_at=QUIZ_CREATED,
                            new_quiz_questions=questions,
                            description=NEW_QUIZ_INSTRUCTIONS[assignment_id],
                            due_at=NEW_QUIZ_DUE[assignment_id])
    store.assignments[assignment_id] = assignment
    students = course_students(store, course_id)
    ability = _abilities(rng, students)
    for uid in students:
        if rng.random() > 0.9:
            continue
        choices = {}
        for question, spec in zip(questions, specs, strict=False):
            index = _choose(rng, spec, ability[uid])
            choices[question.id] = (None if index is None
                                    else _answer_id(question, spec.options[index]))
        responses = {q.id: _mc_response(q, choices.get(q.id)) for q in questions[:-1]}
        earned = float(rng.randint(0, 4))
        responses[essay.id] = {"question_id": essay.id, "text": rng.choice(ESSAYS),
                               "correct": True if earned == 4 else ("partial" if earned else False),
                               "points": earned}
        start = _moment(rng, datetime(2026, 10, 12, 9, tzinfo=UTC), 5)
        minutes = rng.uniform(5, 25)
        finished = start + timedelta(minutes=minutes)
        assignment.new_quiz_submissions.append(QuizSubmission(
            id=store.next_id("quiz_submission", SUBMISSION_ID_START), quiz_id=assignment_id,
            user_id=uid, attempt=1, started_at=start, finished_at=finished, updated_at=finished,
            score=round(sum(float(r["points"]) for r in responses.values()), 2),
            responses=responses))


# ---------------------------------------------------------------- entry point


def seed(store: Store, rng: random.Random, size: str) -> None:
    """Create quizzes 201-205 and New Quizzes 301/302 with their submissions."""
    base = rng.getrandbits(32)

    def sub_rng(tag: int) -> random.Random:
        return random.Random(base * 1000 + tag)

    def quiz(qid: int, course: int, title: str, **kw: Any) -> Quiz:
        assignment_id = kw.pop("assignment_id", None)
        created = QUIZ_CREATED + timedelta(days=qid - 201)
        kw.setdefault("quiz_type", "assignment")
        record = Quiz(id=qid, course_id=course, title=title, points_possible=0.0,
                      created_at=created, published_at=created + timedelta(hours=18),
                      assignment_id=assignment_id, **kw)
        if assignment_id is not None:
            store.assignments[assignment_id] = Assignment(
                id=assignment_id, course_id=course, name=title, points_possible=0.0,
                quiz_id=qid, created_at=created)
        return record

    midterm = quiz(201, 101, "Cell Biology Midterm", assignment_id=311, allowed_attempts=3)
    _item_quiz(store, sub_rng(201), midterm, CELL_BIOLOGY, 5.0, retake_rate=0.6,
               opens=datetime(2026, 9, 14, 8, tzinfo=UTC), size=size)
    mixed = quiz(202, 101, "Mixed Question Types", assignment_id=312)
    _mixed_quiz(store, sub_rng(202), mixed)
    final = quiz(203, 104, "Large Final", assignment_id=313, allowed_attempts=2)
    _item_quiz(store, sub_rng(203), final, _statistics_specs(sub_rng(2031)), 4.0,
               retake_rate=0.08, opens=datetime(2026, 11, 9, 8, tzinfo=UTC), size=size)
    renaissance = quiz(204, 103, "Renaissance Quiz", assignment_id=314)
    _item_quiz(store, sub_rng(204), renaissance, RENAISSANCE, 2.5, retake_rate=0.0,
               opens=datetime(2026, 10, 1, 8, tzinfo=UTC), size=size)
    survey = quiz(205, 101, "Course Feedback Survey", quiz_type="survey",
                  anonymous_submissions=True)
    _survey(store, sub_rng(205), survey)
    for assignment_id, course_id in ((301, 101), (302, 103)):
        _new_quiz(store, sub_rng(assignment_id), assignment_id, course_id)
    for record in (midterm, mixed, final, renaissance):
        if record.assignment_id is not None:
            store.assignments[record.assignment_id].points_possible = record.points_possible
