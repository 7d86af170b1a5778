// Placeholder entry point so that the solution builds (an Exe needs a Main); the real `certmgr` verbs replace it.
Console.Error.WriteLine("certmgr: no commands are implemented yet.");
return 2;
