using System;
using System.Drawing;
using System.IO;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;

namespace Mnist.Dsl.Browser.Tests;

/// <summary>
/// Debian's chromium, headless, through Debian's chromium-driver: the paths are given, so Selenium never looks for
/// (or downloads) a browser of its own. A missing browser fails the test with the command that installs it.
/// </summary>
internal static class Chromium
{
    private const string Browser = "/usr/bin/chromium";
    private const string Driver = "/usr/bin/chromedriver";

    public static ChromeDriver Start()
    {
        foreach (var file in new[] { Browser, Driver })
            if (!File.Exists(file))
                throw new InvalidOperationException($"{file} is missing: the browser tests need Debian's chromium and chromium-driver; run ./build.sh setup (or apt-get install chromium chromium-driver).");
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(Driver)!, Path.GetFileName(Driver));
        service.HideCommandPromptWindow = true;
        service.SuppressInitialDiagnosticInformation = true;
        var options = new ChromeOptions { BinaryLocation = Browser };
        // --no-sandbox: CI runs as root, where chromium refuses its sandbox.
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars", "--force-device-scale-factor=1", "--window-size=1500,1200");
        return new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
    }

    /// <summary>The whole page as a PNG: the window made as tall as the document first.</summary>
    public static void SaveFullPage(ChromeDriver driver, string path, int width = 1500)
    {
        var height = Convert.ToInt32(driver.ExecuteScript("return Math.ceil(document.documentElement.scrollHeight);"));
        driver.Manage().Window.Size = new Size(width, Math.Max(600, height + 20));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        driver.GetScreenshot().SaveAsFile(path);
    }
}
