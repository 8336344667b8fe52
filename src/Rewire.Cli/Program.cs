using Rewire.Cli;

return RewireApp.Run(args);
