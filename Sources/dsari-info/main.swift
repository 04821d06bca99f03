import DsariCLI

InfoCommand.main(GlobalOptions.hoistingConfigDirectory(Array(CommandLine.arguments.dropFirst())))
