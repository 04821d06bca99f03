import DsariCLI

DaemonCommand.main(GlobalOptions.hoistingConfigDirectory(Array(CommandLine.arguments.dropFirst())))
