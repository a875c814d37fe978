"""`anynav export logonav|citywalker`: turn a released checkpoint into ONNX graphs and a model card."""

from __future__ import annotations

import argparse
import sys

from anynav.policy.card import CONFIGS
from anynav.policy.errors import PolicyError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `anynav export`."""
    parser.description = (
        "Export a navigation policy to an encoder graph and a head graph (ONNX), checked against "
        "torch, with a model card for the runtime."
    )
    parser.add_argument("model", choices=sorted(CONFIGS), help="which policy the checkpoint holds")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--checkpoint",
        metavar="PATH",
        help="released weights: logonav.pth (plain state_dict) or CityWalker_2000hr.ckpt (Lightning)",
    )
    source.add_argument(
        "--random-init", action="store_true", help="no checkpoint: seeded random weights (for tests and timing)"
    )
    parser.add_argument(
        "--out", required=True, metavar="DIR", help="folder for encoder.onnx, head.onnx, model_card.json"
    )
    parser.add_argument("--opset", type=int, default=17, metavar="N", help="ONNX opset, 14..20 (default 17)")


def run(args: argparse.Namespace) -> int:
    """Run the export; returns 0, or 1 with the reason on stderr."""
    # Imported here so `anynav --help` does not pay for importing torch.
    from anynav.policy.export import export_policy

    try:
        result = export_policy(args.model, args.out, None if args.random_init else args.checkpoint, opset=args.opset)
    except PolicyError as exc:
        print(f"anynav export: {exc}", file=sys.stderr)
        return 1
    print(f"exported {args.model} to {result.directory}")
    return 0
