#!/usr/bin/env bash
# Issue 5's GPU measurements, ready for a session that is lent a GPU (the device tool).
#
#   here, once:   bash bench/gpu_session.sh fetch-wheels
#                 (the service's pure-Python dependencies as Python 3.12 wheels, into .whl/,
#                  so the worker's epoch hooks are timed on the GPU box too; 7.7 MB)
#   device tool:  run(command="bash bench/gpu_session.sh throughput", carry=[".whl"])
#                 run(command="bash bench/gpu_session.sh compile", carry=[".whl"])
#                 run(command="bash bench/gpu_session.sh checkpoint")   (issue 11)
#
# throughput (about 3 minutes on an H100, by the figures the issue quotes): fitdoc vs the
#   hand-tuned reference vs the naive loop on resnet18 and the small cnn, synthetic 32x32
#   images, batch 512, bf16, crop + flip; fitdoc's bookkeeping per epoch; host syncs per
#   epoch; the per-epoch loss (the smoke check that training works on the GPU); the CUDA
#   tests of tests/training.
# compile: the same with torch.compile as a fourth loop, fewer rounds (each run compiles).
# checkpoint: the cost of the per-epoch training state (resume after a crash) on the GPU:
#   state size, save time and its share of the epoch, resnet18 and the small cnn, every
#   epoch and with state_every=10 s (about 2 minutes).
# Everything printed is also written to $OUT (the device tool brings it back).
set -euo pipefail
cd "$(dirname "$0")/.."
part="${1:-throughput}"
case "$part" in
fetch-wheels | throughput | compile | checkpoint) ;;
*)
    echo "usage: bash bench/gpu_session.sh fetch-wheels|throughput|compile|checkpoint" >&2
    exit 2
    ;;
esac

if [ "$part" = "fetch-wheels" ]; then
    # The versions this checkout's venv resolved, for CPython 3.12 on x86-64 (the GPU image).
    names="sqlalchemy alembic mako pydantic pydantic-core pydantic-settings python-dotenv
           annotated-types typing-inspection"
    pins=$(.venv/bin/python -m pip list --format=freeze | python3 -c "
import sys
wanted = set(sys.argv[1].split())
for line in sys.stdin:
    name = line.split('==')[0]
    if name.lower().replace('_', '-') in wanted:
        print(line.strip())" "$names")
    rm -rf .whl
    python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 \
        --implementation cp --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 \
        --platform manylinux2014_x86_64 -d .whl $pins
    ls .whl
    exit 0
fi

if compgen -G ".whl/*.whl" >/dev/null; then
    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
        --target /tmp/site .whl/*.whl
    export PYTHONPATH=/tmp/site
fi
export PYTHONUNBUFFERED=1
out="${OUT:-/tmp/fitdoc-gpu}"
mkdir -p "$out"
{
    date -u +"%Y-%m-%d %H:%M UTC"
    git rev-parse --short HEAD 2>/dev/null || echo "(no git: a copy of the working tree)"
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
    python3 -c "import torch; print('torch', torch.__version__, torch.cuda.get_device_name())"
} | tee "$out/$part.txt"

case "$part" in
throughput)
    python3 bench/train_throughput.py --workloads resnet18-gpu cnn-gpu --epochs 3 \
        --repeats 5 2>&1 | tee -a "$out/$part.txt"
    python3 -m pytest -q -p no:cacheprovider tests/training/test_loop.py -k cuda 2>&1 \
        | tee -a "$out/$part.txt"
    ;;
compile)
    python3 bench/train_throughput.py --workloads resnet18-gpu cnn-gpu --epochs 4 \
        --repeats 2 --compile 2>&1 | tee -a "$out/$part.txt"
    ;;
checkpoint)
    python3 bench/checkpoint_cost.py --device cuda --workloads resnet18 cnn --epochs 6 \
        --rounds 4 2>&1 | tee -a "$out/$part.txt"
    python3 bench/checkpoint_cost.py --device cuda --workloads resnet18 cnn --epochs 6 \
        --rounds 2 --state-every 10 2>&1 | tee -a "$out/$part.txt"
    ;;
esac
