{
  "targets": [
    {
      "target_name": "event_scan",
      "sources": ["event_scan.c"],
      "cflags": ["-O3", "-Wall", "-Wextra"]
    }
  ]
}
