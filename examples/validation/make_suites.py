#!/usr/bin/env python3
"""Writes the validation suites of examples/validation/ from the published ground truth.

Usage (from the repository root):

    python3 examples/validation/make_suites.py [GROUNDTRUTH_ROOT]

GROUNDTRUTH_ROOT defaults to ../shared/data/groundtruth relative to the repository root. The
script uses the Python standard library only. It writes four suite files next to itself:

    training.toml          training_run cases (Patterson 2021, BLOOM, OPT-175B, LLaMA-1)
    mlperf_inference.toml  inference_throughput cases (MLPerf Inference v1.0-v2.1 with power)
    mlenergy.toml          llm_serving cases (ML.ENERGY leaderboard v2 and v3)
    specpower.toml         server_power cases (SPECpower_ssj2008 load curves)

Shipped platform names are read from hwmodels/library/*.toml and zoo model names from
workloads/zoo/models/*.toml; a row whose hardware or model maps to no shipped name is skipped and
counted in the header comment of its suite. Run `joulegraph validate-suite FILE` on the output.
"""

import argparse
import collections
import csv
import json
import math
import re
import sys
import textwrap
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
GENERATOR = "python3 examples/validation/make_suites.py"


# --------------------------------------------------------------------------------------------
# Shipped names
# --------------------------------------------------------------------------------------------

def _toml_names(files):
    names = set()
    for f in files:
        for line in f.read_text(encoding="utf-8").splitlines():
            m = re.match(r'^name\s*=\s*"([^"]+)"', line)
            if m:
                names.add(m.group(1))
    return names


PLATFORMS = _toml_names(sorted((REPO / "hwmodels" / "library").glob("*.toml")))
ZOO = _toml_names(sorted((REPO / "workloads" / "zoo" / "models").glob("*.toml")))


def platform_file(name):
    return REPO / "hwmodels" / "library" / (name + ".toml")


# --------------------------------------------------------------------------------------------
# Reading and writing
# --------------------------------------------------------------------------------------------

def read_csv(path):
    """RFC-4180 CSV (quoted commas, CRLF or LF line endings) as a list of dicts. Surplus fields of
    a row (an unquoted comma in its free-text last column, as in bloom_luccioni2023.csv) are joined
    back into the last column."""
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f, restkey="\0extra")
        rows = []
        for row in reader:
            extra = row.pop("\0extra", None)
            if extra:
                last = reader.fieldnames[-1]
                row[last] = ",".join([row[last]] + extra)
            rows.append({k: (v or "").strip() for k, v in row.items()})
        return rows


def num(raw, sig=None):
    """A TOML number from a CSV cell or a float: CSV digits are kept unless they carry more than
    10 significant digits (float noise), which are rounded to 6."""
    if isinstance(raw, (int,)) and not isinstance(raw, bool):
        return str(raw)
    d = Decimal(str(raw)).normalize() if not isinstance(raw, Decimal) else raw.normalize()
    digits = len(d.as_tuple().digits)
    if sig is None and digits > 10:
        sig = 6
    if sig is not None and d != 0:
        d = Decimal(f"{float(d):.{sig}g}").normalize()
    exp = d.adjusted()
    if d == d.to_integral_value() and abs(d) < Decimal(10) ** 9:
        return str(int(d))
    if -5 <= exp < 9:
        return format(d, "f")
    # Large or tiny: mantissa e exponent (valid TOML float, e.g. 3e+11, 1.4e+12).
    m = d.scaleb(-exp).normalize()
    return f"{format(m, 'f')}e{exp:+d}"


def tstr(s):
    """A TOML basic string (JSON string escapes are TOML escapes)."""
    return json.dumps(s, ensure_ascii=False)


def tkey(k):
    return k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else tstr(k)


def tval(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return tstr(v)
    if isinstance(v, Num):
        return v.text
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{tkey(k)} = {tval(x)}" for k, x in v.items()) + " }"
    if isinstance(v, (int, float, Decimal)):
        return num(v)
    raise TypeError(v)


class Num:
    """A number already formatted for TOML."""

    def __init__(self, raw, sig=None):
        self.text = num(raw, sig)


def slug(s):
    return re.sub(r"[^a-z0-9.]+", "-", s.lower()).strip("-")


def wrap_comment(text, width=100):
    out = []
    for para in text.split("\n"):
        out += ["# " + l for l in textwrap.wrap(para, width - 2, subsequent_indent="  ",
                                                break_long_words=False, break_on_hyphens=False)] or ["#"]
    return out


def write_suite(path, title, description, header, cases, skips):
    lines = wrap_comment(title)
    lines.append("#")
    lines += wrap_comment(f"Generated by `{GENERATOR}` from the published ground truth "
                          "(../shared/data/groundtruth by default); do not edit by hand: change the "
                          "script and regenerate. Check with `joulegraph validate-suite "
                          f"examples/validation/{path.name}`.")
    lines.append("#")
    lines += wrap_comment(f"{len(cases)} cases ({sum(1 for c in cases if dict(c).get('calibration'))} "
                          "marked calibration = true).")
    total = skips.total()
    if total:
        lines += wrap_comment(f"{total} rows skipped:")
        for s in skips.lines():
            lines += wrap_comment("- " + s)
    else:
        lines += wrap_comment("0 rows skipped.")
    lines.append("#")
    for h in header:
        lines += wrap_comment(h)
    lines.append("")
    lines.append("schema_version = 1")
    lines.append(f"description = {tstr(description)}")
    for c in cases:
        lines.append("")
        lines.append("[[case]]")
        for k, v in c:
            lines.append(f"{k} = {tval(v)}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


class Skips(collections.OrderedDict):
    """Skipped-row counts by reason, each with the names it applied to (in first-seen order)."""

    def add(self, reason, n=1, detail=None):
        count, details = self.get(reason, (0, []))
        if detail is not None and detail not in details:
            details.append(detail)
        self[reason] = (count + n, details)

    def total(self):
        return sum(n for n, _ in self.values())

    def lines(self):
        return [f"{n} {r}" + (f" ({', '.join(d)})" if d else "") for r, (n, d) in self.items()]


def check_ids(cases):
    seen = set()
    for c in cases:
        cid = dict(c)["id"]
        if cid in seen:
            raise SystemExit(f"duplicate case id {cid}")
        seen.add(cid)


# --------------------------------------------------------------------------------------------
# Hardware name mapping
# --------------------------------------------------------------------------------------------

def cpu_candidate(text):
    """The platform name a CPU model string would have ("AMD EPYC 7742 64-Core Processor" ->
    epyc-7742), and a short label for skip messages; (None, label) when no model number is given."""
    t = text.replace("(R)", "").replace("(TM)", "")
    pats = [
        (r"EPYC\s+(\d{4}[A-Z]?)\b", lambda m: "epyc-" + m.group(1).lower(), "EPYC {}"),
        (r"Altra\s+(Q\d+-\d+)", lambda m: "altra-" + m.group(1).lower(), "Altra {}"),
        (r"Xeon\s+(Gold|Silver|Bronze)\s+(\d{4}[A-Z]?)\b",
         lambda m: f"xeon-{m.group(1).lower()}-{m.group(2).lower()}", None),
        (r"Xeon\s+Platinum\s+(\d{4}[A-Z]?\+?)", lambda m: "xeon-" + m.group(1).lower(), "Xeon Platinum {}"),
        (r"Xeon\s+D-(\d{4}[A-Z]*)", lambda m: "xeon-d-" + m.group(1).lower(), "Xeon D-{}"),
        (r"Xeon\s+E5-(\d{4})\s*v(\d)", lambda m: f"xeon-e5-{m.group(1)}v{m.group(2)}", None),
    ]
    for pat, name, label in pats:
        m = re.search(pat, t)
        if m:
            lab = m.group(0) if label is None else label.format(m.group(1))
            return name(m), lab
    label = re.sub(r"^\s*\d+\s*x\s*\[", "", t).split(",")[0]
    label = re.sub(r"\s*\d+(\.\d+)?\s*[MG]Hz.*$", "", label).replace("Intel ", "").replace("AMD ", "").strip()
    if re.search(r"(Xeon|Pentium|EPYC|Opteron)", label) and re.search(r"\d{3,4}", label):
        return None, label
    return None, None


# --------------------------------------------------------------------------------------------
# 1. training.toml
# --------------------------------------------------------------------------------------------

# Patterson's `processor` -> shipped platform (TPUs have none).
TRAIN_PROCESSOR = {"V100": "v100-sxm2-32gb"}
# Model names in the training files -> zoo models.
TRAIN_ZOO = {
    "GPT-3": "gpt3-175b", "T5": "t5-11b", "Meena": "meena-2.6b", "GShard-600B": "gshard-600b",
    "Switch Transformer": "switch-1.5t", "LLaMA-7B": "llama-7b", "LLaMA-13B": "llama-13b",
    "LLaMA-33B": "llama-33b", "LLaMA-65B": "llama-65b",
    "Llama 2 7B": "llama2-7b", "Llama 2 13B": "llama2-13b", "Llama 2 70B": "llama2-70b",
}
# Training tokens that the ground-truth files do not hold, from the papers.
LLAMA1_TOKENS = {"LLaMA-7B": 1.0e12, "LLaMA-13B": 1.0e12, "LLaMA-33B": 1.4e12, "LLaMA-65B": 1.4e12}
BLOOM_TOKENS = 366e9   # BLOOM paper (BigScience 2022, arXiv:2211.05100): 366 B tokens
OPT_TOKENS = 180e9     # OPT paper (Zhang et al. 2022, arXiv:2205.01068): 180 B tokens
OPT_GPUS = 992         # OPT paper: 992 80 GB A100 GPUs
LLAMA1_GPUS = 2048     # LLaMA paper: 2048 A100-80GB (stated for the 65B run)
LLAMA2_TOKENS = 2.0e12  # Llama 2 paper (Touvron et al. 2023b, arXiv:2307.09288), Table 1: 2.0T tokens
A100_TDP_W = 400        # the per-GPU power of the BLOOM and OPT accounting (Luccioni et al. 2023)


def norm_name(s):
    return re.sub(r"[^a-z0-9]", "", s.lower())


def build_training(gt):
    cases, skips, header = [], Skips(), []
    tdir = gt / "training"
    db = {norm_name(r["name"]): r for r in read_csv(tdir / "llmcarbon_repo_database.csv")}

    # Patterson et al. 2021, Table 4.
    for r in read_csv(tdir / "patterson2021_table4.csv"):
        proc = r["processor"]
        plat = TRAIN_PROCESSOR.get(proc)
        if plat not in PLATFORMS:
            skips.add(f"Patterson 2021 rows with no platform for {proc}", detail=r["model"])
            continue
        zoo = TRAIN_ZOO.get(r["model"])
        if zoo not in ZOO:
            skips.add(f"Patterson 2021 rows with no zoo model for {r['model']}")
            continue
        dbr = db.get(norm_name(r["model"]))
        if not dbr or not dbr["tokens_B"]:
            skips.add("Patterson 2021 rows with no token count")
            continue
        tokens = Decimal(dbr["tokens_B"]) * Decimal(10) ** 9
        grid = Decimal(r["net_kgCO2e_per_kWh"]) * 1000
        cases.append([
            ("id", "patterson2021-" + re.sub(r"[^a-z0-9]", "", r["model"].lower())),
            ("kind", "training_run"),
            ("platform", plat),
            ("count", Num(r["num_chips"])),
            ("workload", zoo),
            ("boundary", "facility"),
            ("pue", Num(r["PUE"])),
            ("tokens", Num(tokens)),
            ("grid_g_per_kwh", Num(grid)),
            ("accounting_power_w", Num(r["measured_avg_system_power_per_chip_W"])),
            ("metrics", {"energy_mwh": Num(r["energy_MWh"]), "co2e_t": Num(r["net_tCO2e"])}),
            ("source", f"Patterson et al. 2021 (arXiv:2104.10350), Table 4, row '{r['model']}' "
                       "(training/patterson2021_table4.csv); tokens: LLMCarbon database "
                       f"(training/llmcarbon_repo_database.csv, row '{dbr['name']}', tokens_B = {dbr['tokens_B']})"),
            ("note", f"accounting path: Table 4 energy = {r['num_chips']} chips x {r['training_days']} days x 24 h x "
                     f"{r['measured_avg_system_power_per_chip_W']} W average system power per chip (NVIDIA-provided for "
                     f"GPT-3, includes the host and network share; chip TDP {r['chip_TDP_W']} W) x PUE {r['PUE']}, "
                     f"not a meter reading of this run; grid_g_per_kwh = net {r['net_kgCO2e_per_kWh']} kgCO2e/kWh x 1000. "
                     "The V100 memory size is not stated: the 32 GB SXM2 platform is assumed."),
        ])

    # BLOOM (Luccioni et al. 2023) and OPT-175B (their Table 4 comparison row).
    bloom = {r["quantity"]: r for r in read_csv(tdir / "bloom_luccioni2023.csv")}
    hw = bloom["BLOOM-176B hardware"]["value"]
    n_gpu = int(re.match(r"\s*(\d+)\s*x", hw).group(1))
    e = bloom["BLOOM final training GPU (dynamic) energy"]
    gpuh = bloom["BLOOM final training GPU hours"]["value"]
    wall = bloom["BLOOM final training wall time"]["value"]
    assert e["unit"] == "kWh"
    if "a100-sxm4-80gb" in PLATFORMS and "bloom-176b" in ZOO:
        cases.append([
            ("id", "luccioni2023-bloom-176b"),
            ("kind", "training_run"),
            ("platform", "a100-sxm4-80gb"),
            ("count", n_gpu),
            ("workload", "bloom-176b"),
            ("boundary", "device"),
            ("tokens", Num(BLOOM_TOKENS)),
            ("accounting_power_w", A100_TDP_W),
            ("metrics", {"energy_mwh": Num(Decimal(e["value"]) / 1000)}),
            ("source", "Luccioni, Viguier & Ligozat 2023 (JMLR 24(253), arXiv:2211.02001), Table 1 "
                       "(training/bloom_luccioni2023.csv, rows 'BLOOM final training GPU (dynamic) energy' "
                       f"= {e['value']} kWh and 'BLOOM-176B hardware' = {hw}); tokens 366e9 from the BLOOM "
                       "paper (arXiv:2211.05100), not in the ground-truth file"),
            ("note", f"accounting path: {int(e['value']):,} kWh = {int(gpuh):,} GPU-h x 0.4 kW (A100 TDP), with no PUE and "
                     "without the idle/infrastructure share (256,646 kWh attributed separately), so the case uses "
                     f"the device boundary; wall time {wall}."),
        ])
    opt = bloom["Comparison: OPT-175B energy / emissions / x PUE"]
    opt_mwh = opt["value"].split("/")[0].strip()
    llama = read_csv(tdir / "llama_family_training_energy.csv")
    opt_gpuh = next((r["gpu_hours"] for r in llama if r["model"] == "OPT-175B"), "")
    if "a100-sxm4-80gb" in PLATFORMS and "opt-175b" in ZOO:
        cases.append([
            ("id", "zhang2022-opt-175b"),
            ("kind", "training_run"),
            ("platform", "a100-sxm4-80gb"),
            ("count", OPT_GPUS),
            ("workload", "opt-175b"),
            ("boundary", "device"),
            ("tokens", Num(OPT_TOKENS)),
            ("accounting_power_w", A100_TDP_W),
            ("metrics", {"energy_mwh": Num(opt_mwh)}),
            ("source", "Luccioni et al. 2023, Table 4, from Zhang et al. 2022 (training/bloom_luccioni2023.csv, "
                       f"row 'Comparison: OPT-175B energy / emissions / x PUE' = {opt['value']}); 992 A100-80GB "
                       "and 180e9 tokens from the OPT paper (arXiv:2205.01068)"),
            ("note", f"accounting path: {opt_mwh} MWh = {int(opt_gpuh):,} GPU-h (LLaMA paper Table 15) x 0.4 kW "
                     "(A100 TDP), device level with no PUE (the LLaMA paper prints 356 MWh for it with PUE 1.1)."),
        ])

    # LLaMA-1 (Touvron et al. 2023, Table 15), and the rest of the LLaMA-family file.
    for r in llama:
        m = r["model"]
        if m in ("OPT-175B", "BLOOM-175B"):
            skips.add("LLaMA Table 15 rows for OPT-175B / BLOOM-175B (taken from the Luccioni file at the "
                      "device boundary instead)")
            continue
        if not r["reported_energy_MWh"]:
            if m.startswith("Llama 2 ") and TRAIN_ZOO.get(m) in ZOO and "a100-sxm4-80gb" in PLATFORMS:
                # Device-hours only: the card's tCO2e uses a grid intensity it does not state.
                zoo = TRAIN_ZOO[m]
                cases.append([
                    ("id", "llama2-card-" + zoo.split("-")[1]),
                    ("kind", "training_run"),
                    ("platform", "a100-sxm4-80gb"),
                    ("count", LLAMA1_GPUS),
                    ("workload", zoo),
                    ("boundary", "device"),
                    ("tokens", Num(LLAMA2_TOKENS)),
                    ("metrics", {"device_hours": Num(r["gpu_hours"])}),
                    ("source", f"Llama 2 model card ({r['source']}, {r['source_locator']}), row '{m}' "
                               "(training/llama_family_training_energy.csv); 2.0T tokens from the Llama 2 paper "
                               "(arXiv:2307.09288), Table 1"),
                    ("note", "GPU-hours only: the card's tCO2e is GPU-h x 400 W x PUE x an intensity it does not "
                             "state, so no energy is compared. The GPU count is not published: LLaMA-1's 2048 "
                             "A100-80GB is assumed."),
                ])
                continue
            skips.add("Llama 3/3.1/3.2/3.3/4 model-card rows with no published energy (GPU-h and tCO2e only; "
                      "H100 runs whose GPU counts and token counts per model are not published)")
            continue
        zoo = TRAIN_ZOO.get(m)
        if zoo not in ZOO or m not in LLAMA1_TOKENS:
            skips.add(f"rows with no zoo model for {m}")
            continue
        if "a100-sxm4-80gb" not in PLATFORMS:
            skips.add("rows with no platform for A100-80GB")
            continue
        pue = re.search(r"PUE\s*([\d.]+)", r["carbon_accounting"]).group(1)
        cases.append([
            ("id", "touvron2023-" + zoo),
            ("kind", "training_run"),
            ("platform", "a100-sxm4-80gb"),
            ("count", LLAMA1_GPUS),
            ("workload", zoo),
            ("boundary", "facility"),
            ("pue", Num(pue)),
            ("tokens", Num(LLAMA1_TOKENS[m])),
            ("accounting_power_w", Num(r["gpu_power_W_as_reported"])),
            ("metrics", {"energy_mwh": Num(r["reported_energy_MWh"])}),
            ("source", f"Touvron et al. 2023, LLaMA (arXiv:2302.13971), {r['source_locator']}, row '{m}' "
                       "(training/llama_family_training_energy.csv); tokens from the LLaMA paper "
                       "(1.0T for 7B/13B, 1.4T for 33B/65B)"),
            ("note", f"accounting path: reported energy = {int(r['gpu_hours']):,} GPU-h x "
                     f"{r['gpu_power_W_as_reported']} W x PUE {pue} (a TDP formula, not a meter); "
                     f"{r['reported_tCO2e']} tCO2e at 0.385 kgCO2e/kWh. The paper states 2048 A100-80GB for the "
                     "65B run; the same count is assumed for the smaller models."),
        ])

    header = [
        "Training runs with published energy. All of them are accounting-path numbers (GPU-h or chip-days "
        "x a per-chip power x PUE), not meter readings: each case names that power (accounting_power_w) and "
        "the engine applies the publication's formula to its own predicted device-hours, so these cases test "
        "the time prediction (layout, recomputation, communication), not the power physics. Published "
        "device-hours are wall time x devices: they include restarts, evaluation and checkpointing, which the "
        "engine does not model.",
        "Not used: llmcarbon_repo_database.csv apart from the GPT-3 token count (its T5/GShard/Switch rows are "
        "TPU duplicates of Patterson; XLM has no zoo model); llmcarbon_repo_validation.csv and "
        "llmcarbon_repo_embodied_table5.csv (another model's predictions; embodied carbon).",
    ]
    return cases, skips, header


# --------------------------------------------------------------------------------------------
# 2. mlperf_inference.toml
# --------------------------------------------------------------------------------------------

# MLPerf benchmark -> (zoo model, dtype). DLRM and SSD are left out on purpose (see the header).
MLPERF_BENCH = {
    "ResNet": ("resnet50", "int8"),
    "BERT-99.0": ("bert-large", "int8"),
    "Retinanet": ("retinanet", "int8"),
    "3D-UNet-99.0": ("unet3d", "int8"),
    "RNN-T": ("rnnt", "fp16"),
}
MLPERF_DUPLICATE = {"BERT-99.9", "3D-UNet-99.9"}
# The round whose results calibrate (composed nodes' per-accelerator part); the later rounds are
# held out.
MLPERF_CALIBRATION_ROUND = "v1.0"
# Workload parameters a benchmark needs besides the zoo defaults. MLPerf BERT runs SQuAD v1.1
# features of at most 384 tokens, of which padding is 54 % (Zeng et al., "Boosting BERT by
# removing padding", OpenReview 3nzKUh9a4M: "for SQuAD-v1.1, padding accounts for 54% of the total
# input tokens when the max sequence length is 384"); the TensorRT submissions run variable-length
# sequences without the padding (NVIDIA's MLPerf BERT code, bert_var_seqlen.py), so a sample is
# on average 0.46 x 384 = 177 tokens.
MLPERF_BERT_TOKENS = 177
MLPERF_SET = {"BERT-99.0": {"seq": MLPERF_BERT_TOKENS}}
# 3D-UNet: MLPerf v1.x ran a BraTS 2019 nnU-Net (not the zoo's KiTS19 model), so those results are
# skipped. From v2.0 a sample is a whole KiTS19 volume run as many overlapping 128^3 sliding-window
# patches, while a zoo sample is one patch: throughput, latency and energy per sample are not like
# for like, so only Offline power_w is kept for 3D-UNet.
UNET3D_FIRST_VERSION = (2, 0)
MLPERF_LEFT_OUT = {"DLRM-99.0", "DLRM-99.9", "SSD-Large", "SSD-small"}
# accelerator_model_name without "NVIDIA " and " CTS" -> shipped GPU platform.
MLPERF_GPU = {
    "A100-SXM-80GB": "a100-sxm4-80gb", "A100-SXM4-40GB": "a100-sxm4-40gb",
    "A100-PCIe-80GB": "a100-pcie-80gb", "A100-PCIe-40GB": "a100-pcie-40gb",
    "A100-PCIE-40GB": "a100-pcie-40gb", "A100-PCIe": "a100-pcie-40gb",
    "A30": "a30", "A2": "a2", "A10": "a10", "T4": "t4",
}
# What a Jetson MLPerf system adds around the shipped module platform, measured at the wall: a
# carrier board (regulators, Ethernet, USB, storage, fan), fitted on the calibration round's
# Jetson results by examples/validation/fit_node_overhead.py, and an external power supply of
# efficiency 0.85 (US DoE Level VI minimum average efficiency for 20-65 W adapters is 0.83-0.88;
# 10 CFR 430.32(w)).
JETSON_CARRIER_W = 5.9
JETSON_PSU_EFFICIENCY = 0.85
MLPERF_JETSON = {"Orin": "jetson-agx-orin-64gb", "AGX Xavier": "jetson-agx-xavier",
                 "Xavier NX": "jetson-xavier-nx"}
MLPERF_SCENARIO = {"Offline": "offline", "Single Stream": "single_stream"}
PERF_UNITS = {"samples/s", "latency in ms"}
POWER_UNITS = {"System Power (W)", "Power (W)", "System energy (J) per stream*"}


def as_count(s):
    return int(Decimal(s)) if s else 0


def build_mlperf(gt):
    cases, skips = [], Skips()
    ids = {}
    mdir = gt / "mlperf_power"
    for fname in ("data_cleaned_inference_datacenter.csv", "data_cleaned_inference_edge.csv"):
        groups = collections.OrderedDict()
        for r in read_csv(mdir / fname):
            key = (r["Public ID"], r["SystemName"], r["Model"], r["Scenario"])
            groups.setdefault(key, {})[r["Units"]] = r
        for (pid, system, model, scen), by_unit in groups.items():
            if scen not in MLPERF_SCENARIO:
                skips.add("Server / Multi Stream results: scenarios not modelled")
                continue
            perf = next((by_unit[u] for u in by_unit if u in PERF_UNITS), None)
            power = next((by_unit[u] for u in by_unit if u in POWER_UNITS), None)
            if perf is None or power is None:
                skips.add("results without a perf/power row pair")
                continue
            r = perf
            if model in MLPERF_DUPLICATE:
                skips.add("BERT-99.9 / 3D-UNet-99.9 results (same network as the 99.0 result)")
                continue
            if model in MLPERF_LEFT_OUT or model not in MLPERF_BENCH:
                skips.add("results of benchmarks left out by choice", detail=model)
                continue
            zoo, dtype = MLPERF_BENCH[model]
            version = r["version"].lstrip("v")
            if zoo == "unet3d" and tuple(int(x) for x in version.split(".")) < UNET3D_FIRST_VERSION:
                skips.add("3D-UNet v1.x results (BraTS 2019 nnU-Net, not the zoo's KiTS19 U-Net)")
                continue
            if zoo == "unet3d" and MLPERF_SCENARIO[scen] == "single_stream":
                skips.add("3D-UNet Single Stream results (per-volume latency and energy; a zoo sample is one "
                          "128^3 patch)")
                continue
            acc = r["accelerator_model_name"]
            if not acc:
                if "Jetson" in system:
                    skips.add("CPU-only Jetson results: blank accelerator", detail=system)
                else:
                    skips.add("CPU-only results on non-NVIDIA boards", detail=system)
                continue
            if not acc.startswith("NVIDIA "):
                skips.add("results on non-NVIDIA accelerators", detail=acc)
                continue
            short = acc[len("NVIDIA "):]
            cts = short.endswith(" CTS")
            short = short[:-4] if cts else short
            notes = []
            if short in MLPERF_JETSON:
                plat = MLPERF_JETSON[short]
                if plat not in PLATFORMS:
                    skips.add("results with no platform for the accelerator", detail=acc)
                    continue
                platform, count, jetson = plat, 1, True
            else:
                gpu = MLPERF_GPU.get(short)
                if gpu not in PLATFORMS:
                    skips.add("results with no platform for the accelerator", detail=acc)
                    continue
                cpu, label = cpu_candidate(r["host_processor_model_name"])
                if cpu not in PLATFORMS:
                    skips.add("results with no platform for the host CPU",
                              detail=label or r["host_processor_model_name"])
                    continue
                platform = {"accelerator": gpu, "accelerators_per_node": as_count(r["accelerators_per_node"]),
                            "host_cpu": cpu, "host_cpus_per_node": as_count(r["host_processors_per_node"])}
                count, jetson = 1, False
                if cts:
                    notes.append("'A100-SXM-80GB CTS' (custom thermal solution) mapped to a100-sxm4-80gb")
                if short == "A100-PCIe":
                    notes.append("'A100-PCIe' without a memory size mapped to a100-pcie-40gb")
            if as_count(r["number_of_nodes"] or "1") != 1:
                skips.add("multi-node results")
                continue
            scenario = MLPERF_SCENARIO[scen]
            if scenario == "offline":
                assert perf["Units"] == "samples/s", perf["Units"]
                metrics = {"throughput_per_s": Num(perf["Result"]), "power_w": Num(power["Result"])}
            else:
                assert perf["Units"] == "latency in ms" and power["Units"].startswith("System energy (J)")
                metrics = {"latency_s": Num(Decimal(perf["Result"]).scaleb(-3)),
                           "energy_per_sample_j": Num(power["Result"])}
            if zoo == "unet3d":
                del metrics["throughput_per_s"]
                notes.append("MLPerf counts a whole KiTS19 volume (many 128^3 sliding-window patches) as a "
                             "sample and the zoo one patch, so only power_w is compared")
            cid = f"mlperf-v{version}-{pid}-{zoo}-{scenario}".lower().replace(" ", "")
            category = r["SystemType"] or fname.split("_")[-1][:-4]
            if cid in ids:
                if ids[cid] == metrics_key(metrics):
                    skips.add("edge-file results identical to the same datacenter-file result")
                    continue
                cid += "-" + category
            ids[cid] = metrics_key(metrics)
            op = "max_efficiency" if "MaxQ" in system else "max_performance"
            note = [f"system '{system}'"]
            if r["notes"]:
                note.append(f"submission notes: {r['notes']}")
            note.append(f"software: {r['Software']}")
            if jetson:
                note.append("Jetson module platform, count 1")
            else:
                note.append(f"host: {r['host_processors_per_node'].split('.')[0]} x {r['host_processor_model_name']}")
            if model in MLPERF_SET:
                note.append("set: " + ", ".join(f"{k} = {v}" for k, v in MLPERF_SET[model].items())
                            + " (MLPerf BERT: SQuAD v1.1 features of at most 384 tokens, 54 % of them padding, "
                              "run without it by variable-length kernels)")
            note += notes
            note.append("whole-system wall power (PTDaemon analyzer)")
            if scenario == "single_stream":
                note.append("latency is the 90th-percentile query latency, energy the run average per query")
            calib = r["version"] == MLPERF_CALIBRATION_ROUND
            if calib:
                note.append(f"calibration case: the {MLPERF_CALIBRATION_ROUND} round is what composed nodes' fan and "
                            "per-accelerator parts were fitted on (examples/validation/fit_node_overhead.py)")
            sets = dict(MLPERF_SET.get(model, {}))
            if jetson and JETSON_CARRIER_W is not None:
                sets.update({"node.psu_efficiency": JETSON_PSU_EFFICIENCY, "node.parts.carrier.model": "board.static",
                             "node.parts.carrier.static_power": f"{JETSON_CARRIER_W:g} W",
                             "node.parts.carrier.source": "make_suites.py JETSON_CARRIER_W"})
            cases.append([
                ("id", cid),
                ("kind", "inference_throughput"),
                ("platform", platform),
                ("count", count),
                ("workload", zoo),
                ("boundary", "wall"),
                ("operating_point", op),
                ("dtype", dtype),
                ("scenario", scenario),
            ] + ([("set", sets)] if sets else []) + [
                ("metrics", metrics),
                ("source", f"MLPerf Inference {r['version']} ({category}, closed, power), MLCommons results via "
                           f"aryatschand/MLPerf-Power-HPCA-2025 @49b63de: mlperf_power/{fname}, Public ID {pid}, "
                           f"'{system}', {model}, {scen} (Units '{perf['Units']}' + '{power['Units']}')"),
                ("note", "; ".join(note)),
            ] + ([("calibration", True)] if calib else []))
    header = [
        "MLPerf Inference v1.0-v2.1 results with power (MLCommons closed division), each the pair of a "
        "performance row and its power or energy row (same Public ID, SystemName, Model and Scenario). "
        "Offline: throughput_per_s (samples/s) and power_w (system wall power); Single Stream: latency_s "
        "(90th-percentile latency / 1000) and energy_per_sample_j (system energy per query). Boundary 'wall': "
        "MLPerf measures the whole system at the wall.",
        "Platforms: Jetson submissions use the shipped module platform (NVIDIA Orin -> jetson-agx-orin-64gb, "
        "the AGX Orin developer kit module); server submissions an inline node of the shipped GPU and host "
        "CPU platforms with the submission's counts. operating_point = max_efficiency for 'MaxQ' systems, "
        "max_performance otherwise; power limits named in the submission notes are quoted in `note` only. "
        "dtype: int8 for ResNet, BERT, RetinaNet and 3D-UNet (TensorRT INT8 submissions), fp16 for RNN-T. "
        f"BERT cases set seq = {MLPERF_BERT_TOKENS}: the mean unpadded length of MLPerf's SQuAD v1.1 features "
        "(max_seq_length 384, of which 54 % is padding: Zeng et al., OpenReview 3nzKUh9a4M), which the TensorRT "
        "submissions' variable-length kernels run without padding (zoo default 512).",
        "3D-UNet: v1.x results are skipped (BraTS 2019 nnU-Net, not the zoo's KiTS19 U-Net); from v2.0 "
        "MLPerf counts a whole KiTS19 volume, run as many overlapping 128^3 sliding-window patches, as a "
        "sample while a zoo sample is one patch, so 3D-UNet keeps only Offline power_w and its Single "
        "Stream results are skipped.",
        "Counts of skipped rows are results (perf/power row pairs). DLRM (zoo: dlrm) and SSD-Large (zoo: "
        "ssd-resnet34) are left out by choice of this suite, not for want of a zoo model; SSD-small has none.",
    ]
    return cases, skips, header


def metrics_key(m):
    return tuple((k, v.text) for k, v in m.items())


# --------------------------------------------------------------------------------------------
# 3. mlenergy.toml
# --------------------------------------------------------------------------------------------

MLENERGY_ZOO = {
    "Qwen/Qwen3-8B": "qwen3-8b", "Qwen/Qwen3-14B": "qwen3-14b", "Qwen/Qwen3-32B": "qwen3-32b",
    "Qwen/Qwen3-30B-A3B-Instruct-2507": "qwen3-30b-a3b", "Qwen/Qwen3-30B-A3B-Thinking-2507": "qwen3-30b-a3b",
    "google/gemma-3-12b-it": "gemma3-12b", "google/gemma-3-27b-it": "gemma3-27b",
    "meta-llama/Meta-Llama-3.1-8B-Instruct": "llama3.1-8b", "meta-llama/Llama-3.1-8B-Instruct": "llama3.1-8b",
    "meta-llama/Meta-Llama-3.1-70B-Instruct": "llama3.1-70b", "meta-llama/Llama-3.1-70B-Instruct": "llama3.1-70b",
    "meta-llama/Meta-Llama-3.1-405B-Instruct": "llama3.1-405b",
    "mistralai/Mixtral-8x7B-Instruct-v0.1": "mixtral-8x7b",
    "metaai/Llama-2-7b-chat-hf": "llama2-7b", "metaai/Llama-2-13b-chat-hf": "llama2-13b",
    "meta-llama/Llama-2-7b-chat-hf": "llama2-7b", "meta-llama/Llama-2-13b-chat-hf": "llama2-13b",
    "metaai/llama-7B": "llama-7b", "metaai/llama-13B": "llama-13b",
}
MLENERGY_GPU = {
    "H100": "h100-sxm5-80gb", "NVIDIA H100 80GB HBM3": "h100-sxm5-80gb", "B200": "b200",
    "NVIDIA A100-SXM4-40GB": "a100-sxm4-40gb", "A100": "a100-sxm4-40gb", "A40": "a40",
    "V100": "v100-sxm2-32gb",
}
GPU_TAG = {"h100-sxm5-80gb": "h100", "b200": "b200", "a100-sxm4-40gb": "a100-40gb", "a40": "a40",
           "v100-sxm2-32gb": "v100"}
# Composed multi-GPU nodes ("4xh100-sxm5-80gb", what validate-suite builds from count > 1) get the
# GPU's [fabric] link (NVLink or PCIe peer-to-peer), so tensor-parallel rows are included.
COMPOSED_NODES_HAVE_GPU_LINKS = True
V3_TASKS = (("lm-arena-chat", "v3_lm-arena-chat.csv"), ("gpqa", "v3_gpqa.csv"))
MLENERGY_MAX_CASES = 120


# Serving-engine host overhead per decode step (zoo params engine_step_s, engine_seq_s), per
# ML.ENERGY release: fitted by examples/validation/fit_engine_overhead.py on the release's
# calibration cases (v2: the A100-SXM4-40GB rows). None: not fitted, the zoo default (0) holds.
ENGINE_OVERHEAD = {"v2": (0.0149, 0.000478), "v3": None}
ENGINE_CALIBRATION_GPU = {"v2": "a100-sxm4-40gb"}

TP_SKIP = ("v2/v3 rows with tensor_parallel > 1 (composed multi-GPU nodes have no GPU-GPU link yet: "
           "validate-suite would stop; see COMPOSED_NODES_HAVE_GPU_LINKS in make_suites.py)")


def spread(rows, k):
    """k rows spread over a sorted list: first, last and evenly spaced ones between."""
    n = len(rows)
    if n <= k:
        return list(rows)
    idx = sorted({int(math.floor(i * (n - 1) / (k - 1) + 0.5)) for i in range(k)})
    return [rows[i] for i in idx]


def build_mlenergy(gt):
    cases, skips = [], Skips()
    edir = gt / "inference" / "mlenergy"

    # v2: llm_text_generation chat, all rows that map.
    v2_rows = sorted(read_csv(edir / "v2_llm_text_generation_chat.csv"),
                     key=lambda r: (r["Model"], r["GPU"], int(r["TP"]), int(r["PP"]), int(r["Max BS (reqs)"])))
    for r in v2_rows:
        zoo = MLENERGY_ZOO.get(r["Model"])
        if zoo not in ZOO:
            skips.add("v2 rows with no zoo model", detail=r["Model"].split("/")[-1])
            continue
        gpu = MLENERGY_GPU.get(r["GPU"])
        if gpu not in PLATFORMS:
            skips.add("v2 rows with no platform for the GPU", detail=r["GPU"])
            continue
        tp, pp = int(r["TP"]), int(r["PP"])
        if pp > 1:
            skips.add("v2 rows with pipeline parallelism (PP > 1, not modelled)")
            continue
        if tp > 1 and not COMPOSED_NODES_HAVE_GPU_LINKS:
            skips.add(TP_SKIP)
            continue
        bs = int(r["Max BS (reqs)"])
        calib = gpu == ENGINE_CALIBRATION_GPU["v2"]
        engine = ENGINE_OVERHEAD["v2"]
        cases.append([
            ("id", f"mlenergy-v2-chat-{zoo}-{GPU_TAG[gpu]}-tp{tp}-bs{bs}"),
        ] + ([("set", {"engine_step_s": engine[0], "engine_seq_s": engine[1]})] if engine else []) + [
            ("kind", "llm_serving"),
            ("platform", gpu),
            ("count", tp * pp),
            ("workload", zoo),
            ("boundary", "device"),
            ("dtype", "fp16"),
            ("tensor_parallel", tp),
            ("max_num_seqs", bs),
            ("output_len", int(round(float(r["Avg Output Tokens"])))),
            ("metrics", {"energy_per_request_j": Num(r["Energy/req (J)"]),
                         "tokens_per_s": Num(r["Token tput (tok/s)"])}),
            ("source", "ML.ENERGY leaderboard v2 (ml-energy/leaderboard-v2 @c3af7f3), "
                       f"inference/mlenergy/v2_llm_text_generation_chat.csv, source_path {r['source_path']}"),
            ("note", f"GPU-only energy (NVML via Zeus), summed over the {tp * pp} GPU(s); {r['Model']} on {r['GPU']}; "
                     f"measured average batch {float(r['Avg BS (reqs)']):.1f} of max {bs}; avg output "
                     f"{float(r['Avg Output Tokens']):.1f} tokens; input length not published (predictor default "
                     "512); dtype fp16 assumed (vLLM half precision)."
                     + (" Calibration case: the v2 engine overhead per decode step was fitted on the A100 rows "
                        "(examples/validation/fit_engine_overhead.py)." if calib else "")),
        ] + ([("calibration", True)] if calib else []))
    n_v2 = len(cases)

    # v3: lm-arena-chat and gpqa, bfloat16 rows that map, a deterministic subset per (task, model, GPU).
    groups = collections.OrderedDict()
    for task, fname in V3_TASKS:
        for r in read_csv(edir / fname):
            zoo = MLENERGY_ZOO.get(r["model_id"])
            if zoo not in ZOO:
                skips.add("v3 rows with no zoo model", detail=r["model_id"].split("/")[-1])
                continue
            if r["weight_precision"] != "bfloat16":
                skips.add("v3 rows with non-bfloat16 weights", detail=r["weight_precision"])
                continue
            gpu = MLENERGY_GPU.get(r["gpu_model"])
            if gpu not in PLATFORMS:
                skips.add("v3 rows with no platform for the GPU", detail=r["gpu_model"])
                continue
            if int(r["tensor_parallel"]) > 1 and not COMPOSED_NODES_HAVE_GPU_LINKS:
                skips.add(TP_SKIP)
                continue
            groups.setdefault((task, fname, r["model_id"], gpu), []).append(r)
    for rows in groups.values():
        rows.sort(key=lambda r: (int(r["max_num_seqs"]), int(r["num_gpus"]), int(r["tensor_parallel"])))
    # The largest number of rows per (task, model, GPU), the same for every group, that keeps the
    # file within MLENERGY_MAX_CASES (at least 2: the smallest and the largest max_num_seqs).
    v3_total = sum(len(rows) for rows in groups.values())
    k = 2
    while (k < max(map(len, groups.values()), default=0)
           and n_v2 + sum(min(len(rows), k + 1) for rows in groups.values()) <= MLENERGY_MAX_CASES):
        k += 1
    v3_kept = 0
    for (task, fname, model_id, gpu), rows in groups.items():
        keep = spread(rows, k)
        v3_kept += len(keep)
        if len(rows) > len(keep):
            skips.add(f"v3 rows outside the deterministic subset (at most {k} per task x model x GPU)",
                      len(rows) - len(keep))
        for idx, r in enumerate(keep):
            zoo = MLENERGY_ZOO[model_id]
            n, tp, ep, dp = (int(r[c]) for c in ("num_gpus", "tensor_parallel", "expert_parallel",
                                                 "data_parallel"))
            bs = int(r["max_num_seqs"])
            cid = f"mlenergy-v3-{task}-{zoo}-{GPU_TAG[gpu]}-tp{tp}"
            if ep > 1:
                cid += f"-ep{ep}"
            if dp > 1:
                cid += f"-dp{dp}"
            cid += f"-bs{bs}"
            par = f"{n} GPU(s): tensor_parallel {tp}, expert_parallel {ep}, data_parallel {dp}"
            if ep > 1 or dp > 1:
                par += (" (the suite gives count = num_gpus and the data's tensor_parallel; the predictor "
                        "treats the other GPUs as data-parallel replicas)")
            cases.append([
                ("id", cid),
                ("kind", "llm_serving"),
                ("platform", gpu),
                ("count", n),
                ("workload", zoo),
                ("boundary", "device"),
                ("dtype", "bf16"),
                ("tensor_parallel", tp),
                ("max_num_seqs", bs),
                ("output_len", int(math.floor(float(r["avg_output_len"]) + 0.5))),
                ("metrics", {"energy_per_token_j": Num(r["energy_per_token_joules"]),
                             "power_w": Num(r["avg_power_watts"]),
                             "tokens_per_s": Num(r["output_throughput_tokens_per_sec"])}),
                ("source", "ML.ENERGY leaderboard v3 (ml-energy/leaderboard @0cd52da), "
                           f"inference/mlenergy/{fname}, model_id {model_id}, gpu_model {r['gpu_model']}, "
                           f"num_gpus {n}, max_num_seqs {bs}"),
                ("note", f"GPU-only energy (NVML via Zeus), power summed over the GPUs; {par}; measured "
                         f"average batch {float(r['avg_batch_size']):.1f} of max {bs}; avg output "
                         f"{float(r['avg_output_len']):.1f} tokens; input length not published (predictor "
                         "default 512); vLLM, bfloat16 weights."
                         + (" Calibration case: the smallest batch cap of its task x model x GPU; the GPU's "
                            "effective DRAM energy per bit was fitted on these (examples/validation/"
                            "fit_dram_energy.py)." if idx == 0 else "")),
            ] + ([("calibration", True)] if idx == 0 else []))

    # v1: no batch size recorded anywhere in the ground truth -> skipped entirely.
    v1 = read_csv(edir / "v1_legacy_llm_chat.csv")
    v1_map = sum(1 for r in v1 if MLENERGY_ZOO.get(r["model"]) in ZOO and MLENERGY_GPU.get(r["gpu"]) in PLATFORMS)
    skips.add(f"v1 rows (batch size not recorded, not in the mlenergy README either; {v1_map} of them map "
              "to a zoo model and platform)", len(v1))

    header = [
        "LLM serving energy from the ML.ENERGY leaderboard (Chung et al., NeurIPS 2025 D&B, arXiv:2505.06371): "
        "GPU-only energy from NVML (boundary 'device'), vLLM serving with a batch cap (max_num_seqs).",
        f"v2 llm_text_generation chat: all {n_v2} rows that map (count = TP x PP, PP = 1 only; metrics "
        "energy_per_request_j and tokens_per_s; dtype fp16). v3 lm-arena-chat and gpqa: bfloat16 rows that map "
        f"({v3_total}), of which a deterministic subset of {v3_kept} is kept: per (task, model, GPU) the rows "
        f"sorted by (max_num_seqs, num_gpus), and of these at most {k}: the first, the last and evenly spaced "
        f"ones between ({k} = the most per group that keeps the file within {MLENERGY_MAX_CASES} cases); metrics energy_per_token_j, power_w (sum over "
        "GPUs) and tokens_per_s; dtype bf16. output_len = the rounded average output length.",
        "Model names map to the zoo as: Qwen/Qwen3-{8B,14B,32B} -> qwen3-*, Qwen3-30B-A3B-{Instruct,Thinking}-2507 "
        "-> qwen3-30b-a3b, google/gemma-3-{12b,27b}-it -> gemma3-*, Meta-Llama-3.1-{8B,70B,405B}-Instruct -> "
        "llama3.1-*, Mixtral-8x7B-Instruct-v0.1 -> mixtral-8x7b; GPUs: H100 -> h100-sxm5-80gb, B200 -> b200, "
        "A100-SXM4-40GB -> a100-sxm4-40gb.",
        "Not used: v2 code/MLLM/diffusion and v3 sourcegraph-fim/image-chat/video-chat/diffusion files.",
    ]
    return cases, skips, header


# --------------------------------------------------------------------------------------------
# 4. specpower.toml
# --------------------------------------------------------------------------------------------

# Sockets of SPECpower servers whose `cpu` field does not say "N x [...]" (vendor model naming:
# Dell R6x15/R7x15 = 1-socket AMD, R7525 = 2-socket AMD; HPE DL345 = 1-socket, DL380 = 2-socket).
SERVER_SOCKETS = {
    "PowerEdge R7515": 1, "PowerEdge R6515": 1, "PowerEdge R7525": 2, "PowerEdge R740": 2,
    "ProLiant DL345 Gen10 Plus": 1, "ProLiant DL380 Gen10 Plus": 2, "ProLiant DL110 Gen10 Plus": 1,
}
LEVELS = [("p_active_idle_W", 0)] + [(f"p_{p}pct_W", p) for p in range(10, 101, 10)]


def calibration_source(platform, server, url):
    """The [sources] key of the platform's file whose figure was taken from this SPECpower result
    (naming SPECpower and the server or the result number), else None. `sku` lines only confirm a
    name or clock and do not count."""
    f = platform_file(platform)
    if not f.exists():
        return None
    for line in f.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\s*([A-Za-z0-9_]+)\s*=\s*\"(.*)", line)
        if not m or m.group(1) == "sku":
            continue
        text = m.group(2)
        if "specpower" not in text.lower():
            continue
        if server in text:
            return m.group(1)
    return None


def build_specpower(gt):
    cases, skips = [], Skips()
    path = gt / "server_power" / "specpower_ssj2008_curves.csv"
    for r in read_csv(path):
        server, cpu_field = r["server"], r["cpu"]
        plat, label = cpu_candidate(cpu_field)
        if plat not in PLATFORMS:
            if label:
                skips.add("rows (11 load levels per server) with no platform for the CPU", 11, label)
            else:
                skips.add("rows (11 load levels per server) whose CPU model is not stated", 11, server)
            continue
        m = re.match(r"^\s*(\d+)\s*x\s*\[", cpu_field)
        sockets = int(m.group(1)) if m else SERVER_SOCKETS.get(server)
        if not sockets:
            skips.add("rows (11 load levels per server) with an unknown socket count", 11, server)
            continue
        calib = calibration_source(plat, server, r["spec_result_url"])
        for col, pct in LEVELS:
            note = [f"SPECpower_ssj2008 average active power at {'active idle' if pct == 0 else f'{pct}% target load'}; "
                    f"whole-server AC wall power; {sockets} x {cpu_field}"
                    + ("" if m else f" (socket count from the server model: the {server} is a {sockets}-socket server)")]
            if calib:
                note.append(f"calibration case: hwmodels/library/{plat}.toml [sources].{calib} was derived from "
                            "this result")
            if r["note"]:
                note.append("ground-truth note: " + r["note"])
            case = [
                ("id", f"specpower-{slug(server)}-{plat}-u{pct}"),
                ("kind", "server_power"),
                ("platform", {"host_cpu": plat, "host_cpus_per_node": sockets}),
                ("boundary", "wall"),
                ("utilization", Num(Decimal(pct) / 100)),
            ]
            if calib:
                case.append(("calibration", True))
            case += [
                ("metrics", {"power_w": Num(r[col])}),
                ("source", f"SPECpower_ssj2008 result {r['spec_result_url']} via {r['via_repo']} @{r['via_commit'][:7]} "
                           f"(server_power/specpower_ssj2008_curves.csv, row '{server}', '{cpu_field}', column {col})"),
                ("note", "; ".join(note) + "."),
            ]
            cases.append(case)
    header = [
        "SPECpower_ssj2008 server power curves: whole-server AC wall power at active idle and at 10%..100% "
        "target ssj_ops load, one case per server and load level (utilization 0.0..1.0), platform an inline "
        "node of the shipped CPU platform x the server's sockets.",
        "calibration = true where the CPU platform's file (hwmodels/library/<platform>.toml) took a figure "
        "(its idle power) from that SPECpower result: those cases are excluded from the held-out summary.",
    ]
    return cases, skips, header


# --------------------------------------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("groundtruth", nargs="?", default=str(REPO.parent / "shared" / "data" / "groundtruth"),
                    help="ground-truth root (default: ../shared/data/groundtruth from the repository root)")
    ap.add_argument("--out", default=str(HERE), help="output folder (default: this script's folder)")
    args = ap.parse_args(argv)
    gt = Path(args.groundtruth).resolve()
    out = Path(args.out)
    if not (gt / "README.md").exists():
        sys.exit(f"no ground truth at {gt}")
    if not PLATFORMS or not ZOO:
        sys.exit("no shipped platforms or zoo models found (run from a joulegraph checkout)")
    suites = [
        ("training.toml", build_training,
         "Training runs with published energy: Patterson et al. 2021 Table 4, BLOOM, OPT-175B, LLaMA-1",
         "Published training energy (accounting-path numbers) as training_run cases"),
        ("mlperf_inference.toml", build_mlperf,
         "MLPerf Inference v1.0-v2.1 power results (Offline and Single Stream) as inference_throughput cases",
         "MLPerf Inference power results (wall power) as inference_throughput cases"),
        ("mlenergy.toml", build_mlenergy,
         "ML.ENERGY leaderboard v2/v3 LLM serving (GPU-only NVML energy) as llm_serving cases",
         "ML.ENERGY LLM serving measurements as llm_serving cases"),
        ("specpower.toml", build_specpower,
         "SPECpower_ssj2008 server power curves as server_power cases",
         "SPECpower_ssj2008 whole-server wall power at 11 load levels as server_power cases"),
    ]
    for fname, build, title, desc in suites:
        cases, skips, header = build(gt)
        check_ids(cases)
        write_suite(out / fname, title, desc, header, cases, skips)
        print(f"{fname}: {len(cases)} cases, {skips.total()} rows skipped")
        for line in skips.lines():
            print("  " + line)


if __name__ == "__main__":
    main()
