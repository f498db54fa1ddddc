import sys

from passthrough.sse_client import main

sys.exit(main())
