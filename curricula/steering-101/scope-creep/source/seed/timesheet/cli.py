"""Print the weekly report: python -m timesheet.cli FILE"""

import sys
from typing import List, Optional

from .parse import parse_lines
from .report import weekly_report


def main(argv: Optional[List[str]] = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print('usage: python -m timesheet.cli FILE', file=sys.stderr)
        return 2
    with open(args[0], encoding='utf-8') as handle:
        print(weekly_report(parse_lines(handle.readlines())))
    return 0


if __name__ == '__main__':
    sys.exit(main())
