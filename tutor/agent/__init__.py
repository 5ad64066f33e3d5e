"""The agent side of a live session (`anthropic` only here, and only lazily).

Modules:

- `tutor.agent.tools`: the five tools an agent may call (`read_file`, `list_files`,
  `write_file`, `edit_file`, `run`), confined to one workspace directory: path checks in
  pure Python, atomic writes, commands in their own process group with a timeout, an
  output cap and a scrubbed environment. `TOOL_SCHEMAS` are their Messages API
  definitions; `WRITE_TOOLS` are the ones that stop at the gate.
- `tutor.agent.scripted`: `ScriptedAgent`, `AgentTurn`, `ToolCall`: an agent that
  proposes exactly what its script says (`tutor build`, demos, tests).

Nothing here imports `anthropic` at module level, and this package's `__init__`
imports nothing at all, so that `tutor` starts without loading the SDK.
"""
