from servicecoach.cli import main

raise SystemExit(main())
