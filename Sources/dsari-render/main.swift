import DsariCLI

RenderCommand.main(GlobalOptions.hoistingConfigDirectory(Array(CommandLine.arguments.dropFirst())))
