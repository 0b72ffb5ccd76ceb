{
  "targets": [
    {
      "target_name": "base64",
      "sources": ["base64.c"],
      "cflags": ["-O3", "-Wall", "-Wextra"]
    }
  ]
}
