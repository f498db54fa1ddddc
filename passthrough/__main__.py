import sys

from passthrough.cli import main

if __name__ == "__main__":
    sys.exit(main())
