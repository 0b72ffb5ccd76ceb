{
  "targets": [
    {
      "target_name": "igzip",
      "sources": ["igzip.c"],
      "libraries": ["-lisal"],
      "cflags": ["-O3", "-Wall", "-Wextra"]
    }
  ]
}
