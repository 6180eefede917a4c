"""Item specifications of the seeded quizzes: texts, options and IRT parameters."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime

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


def statistics_specs(rng: random.Random) -> list[ItemSpec]:
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
