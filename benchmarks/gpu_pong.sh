#!/usr/bin/env bash
# Pong on a GPU in one command: qlab's DQN (Double DQN, 3-step returns, Adam, 8 environments)
# trains on ALE Pong, then the curve is drawn and the steps per second and the final greedy
# score over 10 games are printed. Everything lands in benchmarks/pong/ (CSV, PNG, checkpoint, and
# the float16 agent file that 06 shows).
#
#   benchmarks/gpu_pong.sh              # the real run: needs CUDA; STEPS=… to change its length
#   SMOKE=1 benchmarks/gpu_pong.sh      # the same command for 2,000 steps on the CPU (a check)
#
# The run resumes from its checkpoint when started again (a machine lent for a limited time).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-$([ -x .venv/bin/python ] && echo .venv/bin/python || echo python3)}
OUT=${OUT:-benchmarks/pong/run}

if [ "${SMOKE:-0}" = 1 ]; then
  DEVICE=cpu STEPS=2000 STARTS=500 EVAL=1000 EPISODES=1 CHECKPOINT=1000 BUFFER=10000 OUT=${OUT}-smoke
  rm -rf "$OUT"
else
  DEVICE=cuda STEPS=${STEPS:-1000000} STARTS=20000 EVAL=100000 EPISODES=10 CHECKPOINT=100000 BUFFER=200000
  "$PYTHON" -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 'no CUDA device: run with SMOKE=1 on a CPU')"
fi

last_step() { [ -f "$OUT/eval.csv" ] && tail -n 1 "$OUT/eval.csv" | cut -d, -f1 | grep -E '^[0-9]+$' || echo 0; }
first=$(last_step)
started=$(date +%s)
if [ -f "$OUT/checkpoint.pt" ]; then
  "$PYTHON" -m qlab train dqn --resume "$OUT/checkpoint.pt" --no-progress
else
  "$PYTHON" -m qlab train dqn --env ALE/Pong-v5 --device "$DEVICE" --total-steps "$STEPS" --seed 1 --num-envs 8 \
    --lr 1e-4 --double --n-step 3 --target-update hard --target-update-every 1000 --buffer-size "$BUFFER" \
    --batch-size 64 --learning-starts "$STARTS" --train-every 4 --eps-start 1.0 --eps-end 0.01 \
    --eps-decay-steps 100000 --eval-every "$EVAL" --eval-episodes "$EPISODES" --checkpoint-every "$CHECKPOINT" \
    --log-every 5000 --no-tensorboard --no-progress --out "$OUT"
fi
seconds=$(( $(date +%s) - started ))

"$PYTHON" -m qlab plot "$OUT" --out "$OUT/eval.png"
if [ -f "$OUT/episodes.csv" ]; then  # no game ends in a short smoke run
  "$PYTHON" -m qlab plot "$OUT" --table episodes --out "$OUT/episodes.png"
fi
steps=$(( $(last_step) - first ))
echo "$steps environment steps in $seconds s: $(( steps / (seconds > 0 ? seconds : 1) )) steps/s, evaluations included"
"$PYTHON" -m qlab eval "$OUT/checkpoint.pt" --episodes "$EPISODES"

# The agent students watch in 06 (qlab/pretrained/pong_dqn.pt): the best evaluation's network in
# float16, scored again over the evaluation games with the rounded weights.
hardware=$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -n 1 || true)
rm -f "$OUT/pong_dqn.pt"
"$PYTHON" -m qlab export "$OUT/best.pt" --out "$OUT/pong_dqn.pt" --episodes "$EPISODES" \
  --about "benchmarks/gpu_pong.sh at commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown): $(last_step) steps, \
$seconds s of wall time in this call on ${hardware:-the CPU}, $(nproc) CPU cores"
echo "copy $OUT/pong_dqn.pt to qlab/pretrained/pong_dqn.pt to ship it"
